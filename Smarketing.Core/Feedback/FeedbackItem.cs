using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback;

/// <summary>One piece of feedback as a vendor format delivered it: the feedback, or why it could not be read.</summary>
public sealed record FeedbackItem
{
    /// <summary>The vendor's id of this delivery (a Salesforce notification id, a Flow interview id), when it has one.</summary>
    public string? DeliveryId { get; init; }

    /// <summary>The lead the item is about, when it could be read.</summary>
    public string? LeadId { get; init; }

    /// <summary>The feedback; null when <see cref="Errors"/> says why it could not be read.</summary>
    public CrmFeedback? Feedback { get; init; }

    /// <summary>The fields in error when the item could not be read.</summary>
    public FieldErrors? Errors { get; init; }

    /// <summary>An item that was read.</summary>
    public static FeedbackItem Of(CrmFeedback feedback, string? deliveryId = null)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        return new() { Feedback = feedback, LeadId = feedback.LeadId, DeliveryId = deliveryId };
    }

    /// <summary>An item that could not be read.</summary>
    public static FeedbackItem Invalid(FieldErrors errors, string? deliveryId = null, string? leadId = null) =>
        new() { Errors = errors, DeliveryId = deliveryId, LeadId = leadId };
}

/// <summary>What became of one <see cref="FeedbackItem"/>.</summary>
public enum FeedbackItemStatus
{
    /// <summary>The ledger moved (and, for a disqualification, the feedback row was written).</summary>
    Applied,

    /// <summary>The ledger already showed this change; nothing new was written.</summary>
    AlreadyApplied,

    /// <summary>The delivery id was recorded before: a redelivery, answered without looking further.</summary>
    DuplicateDelivery,

    /// <summary>The item could not be read (fields missing or malformed).</summary>
    Invalid,

    /// <summary>The reason code is missing or not configured.</summary>
    InvalidReason,

    /// <summary>The ledger does not know the lead.</summary>
    UnknownLead,

    /// <summary>The lifecycle contract refuses the move.</summary>
    Refused,

    /// <summary>Storage refuses the lead's row for good (see <c>LedgerPermanentFailureException</c>): no redelivery can apply it.</summary>
    Unwritable,
}

/// <summary>The result of one item of a delivery.</summary>
public sealed record FeedbackItemResult
{
    /// <summary>The item's delivery id, if it had one.</summary>
    public string? DeliveryId { get; init; }

    /// <summary>The lead, when known.</summary>
    public string? LeadId { get; init; }

    /// <summary>What became of the item.</summary>
    public required FeedbackItemStatus Status { get; init; }

    /// <summary>The lead's status afterwards, when known.</summary>
    public LeadStatus? LeadStatus { get; init; }

    /// <summary>The recorder's outcome, for items that reached it.</summary>
    public FeedbackOutcome? Outcome { get; init; }

    /// <summary>The fields in error, for <see cref="FeedbackItemStatus.Invalid"/>.</summary>
    public FieldErrors? Errors { get; init; }

    /// <summary>Why storage refused the lead, for <see cref="FeedbackItemStatus.Unwritable"/>.</summary>
    public string? StorageRefusal { get; init; }

    /// <summary>True when the item changed nothing and needs no redelivery (applied now, before, or a duplicate).</summary>
    public bool Accepted => Status is FeedbackItemStatus.Applied or FeedbackItemStatus.AlreadyApplied or FeedbackItemStatus.DuplicateDelivery;

    /// <summary>A sentence for the sender when the item was not accepted.</summary>
    public string? Message => Status switch
    {
        FeedbackItemStatus.Invalid => $"Fix these fields and send again: {Errors}.",
        FeedbackItemStatus.Unwritable => StorageRefusal,
        _ => Outcome?.Message,
    };
}

/// <summary>A delivery id recorded once its feedback was applied, so a redelivery is recognised even after later moves.</summary>
public sealed record FeedbackDeliveryRecord
{
    /// <summary>The source of the delivery: the format's <c>Source</c> (e.g. <see cref="HubSpot.HubSpotWorkflowReader.Source"/>).</summary>
    public required string Source { get; init; }

    /// <summary>The vendor's delivery id.</summary>
    public required string DeliveryId { get; init; }

    /// <summary>The lead the delivery was about.</summary>
    public required string LeadId { get; init; }

    /// <summary>The status the delivery asked for.</summary>
    public required LeadStatus Status { get; init; }

    /// <summary>When the delivery was recorded.</summary>
    public required DateTimeOffset RecordedAt { get; init; }
}

/// <summary>The deliveries already applied, per source (table <c>CrmFeedbackDeliveries</c>).</summary>
public interface IFeedbackDeliveryLog
{
    /// <summary>The record of a delivery, or null when it was never applied.</summary>
    Task<FeedbackDeliveryRecord?> FindAsync(string source, string deliveryId, CancellationToken cancellationToken);

    /// <summary>Records an applied delivery; recording it again leaves one record.</summary>
    Task RecordAsync(FeedbackDeliveryRecord record, CancellationToken cancellationToken);
}
