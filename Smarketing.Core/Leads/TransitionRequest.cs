namespace Smarketing.Core.Leads;

/// <summary>
/// A request to move a lead to another status, with the evidence the move's criterion needs.
/// Only the evidence of the requested move is read; the rest may stay unset.
/// </summary>
public sealed record TransitionRequest
{
    /// <summary>The status to move to.</summary>
    public required LeadStatus To { get; init; }

    /// <summary>Who or what system asks for the move, e.g. <c>system:ScoreLead</c> or a rep's CRM user id.</summary>
    public required string Actor { get; init; }

    /// <summary>Free-text why, kept in the history.</summary>
    public string? Note { get; init; }

    /// <summary>The reason code (required for DISQUALIFIED and CLOSED_LOST).</summary>
    public string? ReasonCode { get; init; }

    /// <summary>The lead's score at the time of the move, if one applies.</summary>
    public int? Score { get; init; }

    /// <summary>The scoring model version that produced <see cref="Score"/>.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>NEW → MQL: the score is strictly above the model's threshold.</summary>
    public bool ScoreAboveThreshold { get; init; }

    /// <summary>NEW → MQL: demographic fields the model requires that the lead lacks.</summary>
    public IReadOnlyList<string>? MissingDemographics { get; init; }

    /// <summary>MQL → SAL: the CRM record id the handoff upserted.</summary>
    public string? CrmRecordId { get; init; }

    /// <summary>MQL → SAL: the rep the lead was assigned to.</summary>
    public string? OwnerId { get; init; }

    /// <summary>SAL → SQL: sales confirmed the budget.</summary>
    public bool BudgetConfirmed { get; init; }

    /// <summary>SAL → SQL: sales confirmed the timeline.</summary>
    public bool TimelineConfirmed { get; init; }

    /// <summary>The campaign the move is attributed to (set by the lead when it makes the move).</summary>
    public string? Campaign { get; init; }
}
