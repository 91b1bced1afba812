using System.Text.Json;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Feedback.HubSpot;

/// <summary>
/// The body of a HubSpot workflow "Send a webhook" action, in the shapes HubSpot sends: the contact with all its
/// properties as the contacts API returns it (<c>properties.NAME.value</c> in the legacy contact format, or
/// <c>properties.NAME</c> in the CRM v3 format), or a customized body of chosen properties (<c>NAME</c> at the top).
/// </summary>
public static class HubSpotWorkflowPayload
{
    /// <summary>The deepest JSON accepted (the legacy contact format nests versions and identity profiles).</summary>
    public const int MaxDepth = 16;

    /// <summary>Reads the feedback from a workflow webhook body; the item carries the errors when it cannot.</summary>
    public static FeedbackItem Read(ReadOnlyMemory<byte> body, FeedbackFieldMap fields, CrmValueMap values)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(values);
        var errors = new FieldErrors();
        if (!JsonObjectBody.TryParse(body, errors, out var document, MaxDepth, "a JSON object: the enrolled contact, or the properties the workflow sends"))
        {
            return FeedbackItem.Invalid(errors);
        }

        using (document)
        {
            var root = document.RootElement;
            string? Property(string? name) => string.IsNullOrWhiteSpace(name) ? null : Find(root, name);
            return VendorFields.Read(
                string.Empty,
                Property(fields.LeadId),
                Property(fields.Status),
                Property(fields.ReasonCode),
                Property(fields.Note),
                Property(fields.Rep),
                Property(fields.BudgetConfirmed),
                Property(fields.TimelineConfirmed),
                fields,
                values,
                errors,
                deliveryId: null,
                missingHint: "include the property in the webhook's request body");
        }
    }

    private static string? Find(JsonElement root, string name)
    {
        if (root.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object &&
            properties.TryGetProperty(name, out var property))
        {
            return property.ValueKind == JsonValueKind.Object && property.TryGetProperty("value", out var value)
                ? Scalar(value)
                : Scalar(property);
        }

        return root.TryGetProperty(name, out var top) ? Scalar(top) : null;
    }

    private static string? Scalar(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        text = text?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }
}
