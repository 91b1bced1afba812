namespace Smarketing.Core.Leads;

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
