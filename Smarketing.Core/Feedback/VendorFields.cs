using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Feedback;

/// <summary>Turns the field values a vendor sent into a <see cref="CrmFeedback"/>, naming every bad field.</summary>
internal static class VendorFields
{
    public static FeedbackItem Read(
        string prefix,
        string? leadId,
        string? status,
        string? reason,
        string? note,
        string? rep,
        string? budget,
        string? timeline,
        FeedbackFieldMap fields,
        CrmValueMap values,
        FieldErrors errors,
        string? deliveryId,
        string missingHint)
    {
        if (leadId is null)
        {
            errors.Add(prefix + fields.LeadId, $"Required: the lead's Smarketing id ({missingHint}).");
        }
        else if (Identifiers.Problem(leadId) is { } problem)
        {
            errors.Add(prefix + fields.LeadId, problem);
        }

        CrmStatusMapping? mapping = null;
        if (status is null)
        {
            errors.Add(prefix + fields.Status, $"Required ({missingHint}).");
        }
        else if (!values.TryMapStatus(status, out mapping))
        {
            errors.Add(prefix + fields.Status, $"'{SensitiveText.Echo(status)}' is not a lifecycle status; it must be {values.DescribeStatusValues()}.");
        }

        var reasonCode = reason is null ? mapping?.DefaultReasonCode : values.MapReason(reason);
        if (reasonCode is { Length: > 100 })
        {
            errors.Add(prefix + fields.ReasonCode, "Must be at most 100 characters.");
        }

        var budgetConfirmed = Bool(budget, prefix + fields.BudgetConfirmed, errors);
        var timelineConfirmed = Bool(timeline, prefix + fields.TimelineConfirmed, errors);
        if (!errors.IsEmpty || mapping is null)
        {
            return FeedbackItem.Invalid(errors, deliveryId, leadId);
        }

        return FeedbackItem.Of(
            new CrmFeedback
            {
                LeadId = Identifiers.NormalizeLeadId(leadId!),
                Status = mapping.Status,
                ReasonCode = reasonCode,
                Note = Cut(note),
                Rep = rep is { Length: <= CrmFeedback.MaxLeadIdLength } ? rep : null,
                BudgetConfirmed = budgetConfirmed,
                TimelineConfirmed = timelineConfirmed,
            },
            deliveryId);
    }

    // A long note is cut rather than refused: losing a disqualification over the length of its note helps nobody.
    private static string? Cut(string? note)
    {
        if (note is null || note.Length <= CrmFeedback.MaxNoteLength)
        {
            return note;
        }

        var cut = CrmFeedback.MaxNoteLength - 1;
        if (char.IsHighSurrogate(note[cut - 1]))
        {
            cut--;
        }

        return note[..cut] + "…";
    }

    private static bool Bool(string? value, string field, FieldErrors errors)
    {
        if (value is null)
        {
            return false;
        }

        if (bool.TryParse(value, out var result))
        {
            return result;
        }

        // HubSpot single checkboxes and some Salesforce formulas send 1/0.
        if (value is "1" or "0")
        {
            return value == "1";
        }

        errors.Add(field, $"'{SensitiveText.Echo(value)}' is not true or false.");
        return false;
    }
}
