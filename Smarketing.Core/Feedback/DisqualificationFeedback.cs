namespace Smarketing.Core.Feedback;

/// <summary>One disqualification as marketing reads it: which campaign, why, and what the lead scored.</summary>
public sealed record DisqualificationFeedback
{
    /// <summary>The campaign key used when a lead came without a campaign.</summary>
    public const string UnknownCampaign = "(none)";

    /// <summary>The disqualified lead.</summary>
    public required string LeadId { get; init; }

    /// <summary>The campaign that produced the lead (from the MQL snapshot, else the latest submission).</summary>
    public required string Campaign { get; init; }

    /// <summary>The lead's source.</summary>
    public string? Source { get; init; }

    /// <summary>The reason code sales gave.</summary>
    public required string ReasonCode { get; init; }

    /// <summary>The reason code's category (fit, timing, data-quality, unresponsive, ...) when the row was written.</summary>
    public required string ReasonCategory { get; init; }

    /// <summary>The reason code's label when the row was written.</summary>
    public string? ReasonLabel { get; init; }

    /// <summary>Sales' note.</summary>
    public string? Note { get; init; }

    /// <summary>The score at MQL time (or the latest score for a lead never qualified).</summary>
    public required int Score { get; init; }

    /// <summary>The scoring model version of <see cref="Score"/>.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The status the lead was disqualified from.</summary>
    public required string FromStatus { get; init; }

    /// <summary>The rep who disqualified the lead (or the lead's owner).</summary>
    public string? Rep { get; init; }

    /// <summary>How many times the lead was recycled before this disqualification; keys the row per cycle.</summary>
    public required int Cycle { get; init; }

    /// <summary>When the lead was disqualified.</summary>
    public required DateTimeOffset DisqualifiedAt { get; init; }
}

/// <summary>
/// The <c>DisqualificationFeedback</c> table: partitioned by campaign, rows keyed by time, lead and recycle cycle, so
/// "this campaign's disqualifications in this window" is one partition's key range.
/// </summary>
public interface IDisqualificationFeedbackStore
{
    /// <summary>Writes the row; writing the same disqualification again leaves one row.</summary>
    Task UpsertAsync(DisqualificationFeedback feedback, CancellationToken cancellationToken);

    /// <summary>
    /// The disqualifications at or after <paramref name="from"/> and before <paramref name="until"/>, of one campaign
    /// (in time order) or of all (by campaign, then time).
    /// </summary>
    IAsyncEnumerable<DisqualificationFeedback> QueryAsync(DateTimeOffset from, DateTimeOffset until, string? campaign, CancellationToken cancellationToken);
}
