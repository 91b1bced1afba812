using System.Text.Json;
using Smarketing.Core.Feedback;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Contracts;

/// <summary>A status change sales made in the CRM, as the CRM's webhook reports it.</summary>
public sealed record CrmFeedback
{
    /// <summary>The longest lead id, as the lead webhook accepts it.</summary>
    public const int MaxLeadIdLength = Identifiers.MaxLength;

    /// <summary>The longest note kept; vendor formats cut longer notes, the generic body refuses them.</summary>
    public const int MaxNoteLength = 1000;

    /// <summary>The lead's id in Smarketing (the CRM's external id).</summary>
    public required string LeadId { get; init; }

    /// <summary>The status sales moved the lead to.</summary>
    public required LeadStatus Status { get; init; }

    /// <summary>The reason code (required for DISQUALIFIED and CLOSED_LOST).</summary>
    public string? ReasonCode { get; init; }

    /// <summary>Sales' note.</summary>
    public string? Note { get; init; }

    /// <summary>The CRM user who made the change.</summary>
    public string? Rep { get; init; }

    /// <summary>SAL → SQL: budget confirmed.</summary>
    public bool BudgetConfirmed { get; init; }

    /// <summary>SAL → SQL: timeline confirmed.</summary>
    public bool TimelineConfirmed { get; init; }

    /// <summary>
    /// Reads a generic feedback body: <c>{"leadId", "status", "reasonCode", "note", "rep",
    /// "budgetConfirmed", "timelineConfirmed", "eventId"}</c>. Returns null with every bad field named when invalid.
    /// </summary>
    public static CrmFeedback? TryParse(ReadOnlyMemory<byte> body, out FieldErrors errors) =>
        TryParse(body, CrmValueMap.Identity, out _, out errors);

    /// <summary>
    /// Reads a feedback body whose <c>status</c> and <c>reasonCode</c> may be CRM values that <paramref name="values"/>
    /// translates; <paramref name="eventId"/> is the sender's optional delivery id (<c>"eventId"</c>).
    /// </summary>
    public static CrmFeedback? TryParse(ReadOnlyMemory<byte> body, CrmValueMap values, out string? eventId, out FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(values);
        eventId = null;
        errors = new FieldErrors();
        if (!JsonObjectBody.TryParse(body, errors, out var document))
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;

            var leadId = String(root, "leadId", errors, required: true);
            if (leadId is not null && Identifiers.Problem(leadId) is { } leadIdProblem)
            {
                errors.Add("leadId", leadIdProblem);
                leadId = null;
            }

            var statusText = String(root, "status", errors, required: true);
            var status = LeadStatus.New;
            string? impliedReason = null;
            if (statusText is not null)
            {
                if (values.TryMapStatus(statusText, out var mapping))
                {
                    status = mapping.Status;
                    impliedReason = mapping.DefaultReasonCode;
                }
                else
                {
                    errors.Add("status", $"Must be {values.DescribeStatusValues()}.");
                }
            }

            var reasonText = String(root, "reasonCode", errors, required: false);
            var reason = reasonText is null ? impliedReason : values.MapReason(reasonText);
            var eventText = String(root, "eventId", errors, required: false);
            if (eventText is not null && Identifiers.Problem(eventText) is { } eventProblem)
            {
                errors.Add("eventId", eventProblem);
            }
            var note = String(root, "note", errors, required: false);
            var rep = String(root, "rep", errors, required: false);
            var budget = Bool(root, "budgetConfirmed", errors);
            var timeline = Bool(root, "timelineConfirmed", errors);
            if (!errors.IsEmpty)
            {
                return null;
            }

            eventId = eventText;
            return new CrmFeedback
            {
                LeadId = Identifiers.NormalizeLeadId(leadId!),
                Status = status,
                ReasonCode = reason,
                Note = note,
                Rep = rep,
                BudgetConfirmed = budget,
                TimelineConfirmed = timeline,
            };
        }
    }

    private static string? String(JsonElement root, string name, FieldErrors errors, bool required)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ||
            (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())))
        {
            if (required)
            {
                errors.Add(name, "Required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(name, "Must be a string.");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length > MaxNoteLength || text.Any(char.IsControl) && name != "note")
        {
            errors.Add(name, $"Must be at most {MaxNoteLength} characters without control characters.");
            return null;
        }

        return text;
    }

    private static bool Bool(JsonElement root, string name, FieldErrors errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors.Add(name, "Must be true or false.");
        return false;
    }
}
