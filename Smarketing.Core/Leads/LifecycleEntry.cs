namespace Smarketing.Core.Leads;

/// <summary>One accepted move in a lead's append-only history.</summary>
public sealed record LifecycleEntry
{
    /// <summary>The status before the move.</summary>
    public required LeadStatus From { get; init; }

    /// <summary>The status after the move.</summary>
    public required LeadStatus To { get; init; }

    /// <summary>When the move was accepted.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Who or what system made the move.</summary>
    public required string Actor { get; init; }

    /// <summary>The reason code, for DISQUALIFIED and CLOSED_LOST.</summary>
    public string? ReasonCode { get; init; }

    /// <summary>Free-text why.</summary>
    public string? Note { get; init; }

    /// <summary>The score at the time of the move.</summary>
    public int? Score { get; init; }

    /// <summary>The scoring model version at the time of the move.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The owner assigned by the move (MQL → SAL).</summary>
    public string? OwnerId { get; init; }

    /// <summary>The CRM record id set by the move (MQL → SAL).</summary>
    public string? CrmRecordId { get; init; }

    /// <summary>The recycle count after the move.</summary>
    public int RecycleCount { get; init; }

    /// <summary>
    /// The campaign the move is attributed to, as it was when the move was made (the MQL snapshot's, else the lead's):
    /// the funnel counters count the move under it even when they count it later. Null on moves of earlier versions.
    /// </summary>
    public string? Campaign { get; init; }
}
