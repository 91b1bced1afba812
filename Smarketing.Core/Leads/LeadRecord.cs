using Smarketing.Core.Scoring;

namespace Smarketing.Core.Leads;

/// <summary>
/// A lead's row in the ledger: where it stands in the lifecycle, how it scored and why, the campaign
/// snapshot taken when it became an MQL, and the handoff's progress.
/// </summary>
public sealed class LeadRecord
{
    /// <summary>The lead's id.</summary>
    public required string LeadId { get; init; }

    /// <summary>The lead's lifecycle state and history.</summary>
    public required LeadLifecycle Lifecycle { get; set; }

    /// <summary>The lead's e-mail address.</summary>
    public string? Email { get; set; }

    /// <summary>The lead's phone number.</summary>
    public string? Phone { get; set; }

    /// <summary>The lead's company industry.</summary>
    public string? Industry { get; set; }

    /// <summary>The lead's company size.</summary>
    public int? CompanySize { get; set; }

    /// <summary>The lead's country (ISO code or name), used by territory routing.</summary>
    public string? Country { get; set; }

    /// <summary>The campaign of the latest submission.</summary>
    public string? Campaign { get; set; }

    /// <summary>The source of the latest submission.</summary>
    public string? Source { get; set; }

    /// <summary>The CRM record id (from the sender or the handoff).</summary>
    public string? CrmId { get; set; }

    /// <summary>The rep who owns the lead.</summary>
    public string? OwnerId { get; set; }

    /// <summary>The latest score.</summary>
    public int Score { get; set; }

    /// <summary>The latest score's explanation.</summary>
    public IReadOnlyList<ScoreLine> Explanation { get; set; } = [];

    /// <summary>The scoring model version of the latest score.</summary>
    public string? ModelVersion { get; set; }

    /// <summary>The activity that triggered the handoff.</summary>
    public string? TriggerAction { get; set; }

    /// <summary>What the lead looked like when it became an MQL; null before.</summary>
    public LeadSnapshot? Mql { get; set; }

    /// <summary>
    /// The attribution the latest disqualification was recorded with, so a redelivered disqualification rewrites the
    /// same feedback row even if later submissions changed the lead's campaign or score.
    /// </summary>
    public LeadSnapshot? Disqualification { get; set; }

    /// <summary>The hash of the latest submission, so a re-sent lead is recognised.</summary>
    public string? LastSubmissionHash { get; set; }

    /// <summary>The ids of the most recent deliveries of this lead, so a redelivered webhook has no new effect.</summary>
    public IList<string> RecentDeliveries { get; init; } = [];

    /// <summary>True when the MQL was recorded but putting its handoff on the queue failed; the next delivery or the reconciler re-enqueues it.</summary>
    public bool HandoffEnqueueFailed { get; set; }

    /// <summary>When the reconciler last re-enqueued the handoff.</summary>
    public DateTimeOffset? HandoffRequeuedAt { get; set; }

    /// <summary>True from the move to MQL until the CRM handoff succeeded.</summary>
    public bool HandoffPending { get; set; }

    /// <summary>How many handoff attempts failed.</summary>
    public int HandoffFailures { get; set; }

    /// <summary>The last handoff failure, for people replaying poisoned handoffs.</summary>
    public string? LastHandoffError { get; set; }

    /// <summary>When the CRM handoff succeeded.</summary>
    public DateTimeOffset? HandedOffAt { get; set; }

    /// <summary>When the ledger first saw the lead.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the ledger row last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The storage concurrency tag of the row as read; null for a row not yet stored.</summary>
    public string? ETag { get; set; }
}

/// <summary>The campaign attribution and score of a lead at a moment that counts (becoming an MQL, being disqualified).</summary>
public sealed record LeadSnapshot
{
    /// <summary>When the snapshot was taken.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The campaign that produced the lead.</summary>
    public string? Campaign { get; init; }

    /// <summary>The lead's source.</summary>
    public string? Source { get; init; }

    /// <summary>The score at that moment.</summary>
    public required int Score { get; init; }

    /// <summary>The scoring model version of <see cref="Score"/>.</summary>
    public required string ModelVersion { get; init; }
}
