using Smarketing.Core.Scoring;

namespace Smarketing.Core.Leads;

/// <summary>
/// Everything a <see cref="Lead"/> holds, flat, for storage: <see cref="Lead.ToMemento"/> writes it and
/// <see cref="Lead.Restore"/> reads it back. It carries state, not rules.
/// </summary>
public sealed record LeadMemento
{
    /// <summary>The lead's id.</summary>
    public required string LeadId { get; init; }

    /// <summary>The current lifecycle status.</summary>
    public required LeadStatus Status { get; init; }

    /// <summary>When the lead entered its current status.</summary>
    public required DateTimeOffset StatusSince { get; init; }

    /// <summary>How many times the lead was recycled to NEW.</summary>
    public int RecycleCount { get; init; }

    /// <summary>The latest accepted moves, oldest first (all of them when <see cref="HistoryCount"/> is not larger).</summary>
    public IReadOnlyList<LifecycleEntry> History { get; init; } = [];

    /// <summary>How many moves the lead made in all; <see cref="History"/> is the latest of them. 0 means <c>History.Count</c>.</summary>
    public int HistoryCount { get; init; }

    /// <summary>How many of the moves storage already holds in its full history (0 for a row written before it had one).</summary>
    public int StoredHistoryCount { get; init; }

    /// <summary>How many of the moves the funnel counters already hold (0 for a row written before they existed).</summary>
    public int CountedMoves { get; init; }

    /// <summary>The lead's e-mail address.</summary>
    public string? Email { get; init; }

    /// <summary>When the person's contact data was last erased; null when never.</summary>
    public DateTimeOffset? ErasedAt { get; init; }

    /// <summary>The lead's phone number.</summary>
    public string? Phone { get; init; }

    /// <summary>The lead's company industry.</summary>
    public string? Industry { get; init; }

    /// <summary>The lead's company size.</summary>
    public int? CompanySize { get; init; }

    /// <summary>The lead's country.</summary>
    public string? Country { get; init; }

    /// <summary>The campaign of the latest submission.</summary>
    public string? Campaign { get; init; }

    /// <summary>The source of the latest submission.</summary>
    public string? Source { get; init; }

    /// <summary>The CRM record id.</summary>
    public string? CrmId { get; init; }

    /// <summary>The rep who owns the lead.</summary>
    public string? OwnerId { get; init; }

    /// <summary>The latest score.</summary>
    public int Score { get; init; }

    /// <summary>The latest score's explanation.</summary>
    public IReadOnlyList<ScoreLine> Explanation { get; init; } = [];

    /// <summary>The scoring model version of the latest score.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The activity that triggered the handoff.</summary>
    public string? TriggerAction { get; init; }

    /// <summary>The MQL snapshot.</summary>
    public LeadSnapshot? Mql { get; init; }

    /// <summary>The disqualification snapshot.</summary>
    public LeadSnapshot? Disqualification { get; init; }

    /// <summary>The hash of the latest submission.</summary>
    public string? LastSubmissionHash { get; init; }

    /// <summary>The ids of the most recent deliveries, oldest first.</summary>
    public IReadOnlyList<string> RecentDeliveries { get; init; } = [];

    /// <summary>The handoff's progress.</summary>
    public HandoffState Handoff { get; init; } = HandoffState.None;

    /// <summary>When the ledger first saw the lead.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the lead last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The storage concurrency tag of the row as read; null for a lead not yet stored.</summary>
    public string? ETag { get; init; }
}
