using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Smarketing.Core.Contracts;
using Smarketing.Core.Intake.HubSpot;

namespace Smarketing.Core.Intake;

/// <summary>
/// Turns a vendor's flat property bag (HubSpot contact properties, a Marketo token template) into the
/// canonical lead body, then validates it with the same rules as a generic webhook. Errors name the
/// vendor's field, so the person fixing the workflow sees the name they configured.
/// </summary>
public static class VendorLeadAdapter
{
    /// <summary>
    /// Reads a HubSpot workflow webhook: a contact (<c>properties</c> as <c>{"value": ..., "versions": [...]}</c> objects or
    /// plain values) or a flat property object. Only the mapped properties are read; the rest and every history are skipped.
    /// </summary>
    public static LeadSubmission? FromHubSpot(ReadOnlyMemory<byte> body, VendorMapping mapping, LeadIds ids, out FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        errors = new FieldErrors();
        var wanted = new HashSet<string>(mapping.Fields.Values.Concat(mapping.Activities.Values), StringComparer.OrdinalIgnoreCase);
        var values = HubSpotContactReader.Pick(body.Span, wanted, errors);
        return values is null ? null : Map(values, mapping, "hubspot-", ids, errors);
    }

    /// <summary>Reads a Marketo webhook built from a JSON template of lead tokens (every value a string).</summary>
    public static LeadSubmission? FromMarketo(ReadOnlyMemory<byte> body, VendorMapping mapping, LeadIds ids, out FieldErrors errors) =>
        FromVendor(body, mapping, "marketo-", ids, out errors, root =>
        {
            var values = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in root.EnumerateObject())
            {
                values[property.Name] = property.Value;
            }

            return values;
        });

    private static LeadSubmission? FromVendor(
        ReadOnlyMemory<byte> body,
        VendorMapping mapping,
        string idPrefix,
        LeadIds ids,
        out FieldErrors errors,
        Func<JsonElement, Dictionary<string, JsonElement>> flatten)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        errors = new FieldErrors();
        if (!JsonObjectBody.TryParse(body, errors, out var document))
        {
            return null;
        }

        using (document)
        {
            return Map(flatten(document.RootElement), mapping, idPrefix, ids, errors);
        }
    }

    private static LeadSubmission? Map(Dictionary<string, JsonElement> values, VendorMapping mapping, string idPrefix, LeadIds ids, FieldErrors errors)
    {
        var canonical = new JsonObject();
        var vendorNameOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, vendorField) in mapping.Fields)
        {
            if (!values.TryGetValue(vendorField, out var value) || IsBlank(value))
            {
                continue;
            }

            vendorNameOf[field] = vendorField;
            canonical[field] = field switch
            {
                "companySize" => Size(value),
                "id" => idPrefix + Text(value),
                _ => value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? Text(value) : JsonNode.Parse(value.GetRawText()),
            };
        }

        var actions = new JsonObject();
        foreach (var (activity, vendorField) in mapping.Activities)
        {
            if (values.TryGetValue(vendorField, out var value) && !IsBlank(value))
            {
                vendorNameOf["actions." + activity] = vendorField;
                actions[activity] = Activity(value);
            }
        }

        canonical["actions"] = actions;
        var submission = LeadSubmissionParser.TryParse(JsonSerializer.SerializeToUtf8Bytes(canonical), ids, out var canonicalErrors);
        if (submission is not null)
        {
            return submission;
        }

        foreach (var field in canonicalErrors.Fields)
        {
            var messages = canonicalErrors.ToDictionary()[field];
            var name = vendorNameOf.TryGetValue(field, out var vendorField) ? vendorField : mapping.Fields.TryGetValue(field, out var mapped) ? mapped : field;
            foreach (var message in messages)
            {
                errors.Add(name, message);
            }
        }

        return null;
    }

    private static bool IsBlank(JsonElement value) =>
        value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ||
        (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()));

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static JsonNode? Size(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? JsonNode.Parse(value.GetRawText()) : SizeFromText(Text(value));

    /// <summary>
    /// A company size given as text, as a number where it reads as one: HubSpot's contact "numemployees" is a range such as
    /// "100-500" or "1000+" (a range counts as its midpoint), and thousands separators are dropped. Anything else is left as
    /// text so validation names the field. Shared by the vendor webhooks and the list import.
    /// </summary>
    internal static JsonNode? SizeFromText(string value)
    {
        var text = value.Trim().Replace(",", string.Empty, StringComparison.Ordinal);
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && int.TryParse(text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var low) &&
            int.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var high) && high >= low)
        {
            return (low + high) / 2;
        }

        if (int.TryParse(text.TrimEnd('+'), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            return size;
        }

        // Left as text so validation names the field.
        return text;
    }

    private static JsonNode? Activity(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
            case JsonValueKind.False:
            case JsonValueKind.Number:
            case JsonValueKind.Object:
                return JsonNode.Parse(value.GetRawText());
            case JsonValueKind.String:
                return ActivityFromText(value.GetString()!);
            default:
                return JsonNode.Parse(value.GetRawText());
        }
    }

    /// <summary>
    /// An activity given as text: true/false, yes/no or 1/0 as a flag, a whole number as a count, a date and time as one
    /// occurrence at that time; anything else is left as text so validation names the activity. Shared by the vendor
    /// webhooks and the list import.
    /// </summary>
    internal static JsonNode? ActivityFromText(string value)
    {
        var text = value.Trim();

        if (bool.TryParse(text, out var flag))
        {
            return flag;
        }

        if (text is "1" or "yes" or "Yes" or "YES")
        {
            return true;
        }

        if (text is "0" or "no" or "No" or "NO")
        {
            return false;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            return new JsonObject { ["count"] = 1, ["lastAt"] = text };
        }

        return text;
    }
}
