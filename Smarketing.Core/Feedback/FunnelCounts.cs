using System.Globalization;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback;

/// <summary>
/// Speed-to-lead times in fixed buckets: a time under 100 ms is its own bucket; a longer one falls in the bucket of its
/// value cut to two significant digits (2,345 ms is in the 2,300 ms bucket, 61,999 ms in the 61,000 ms one). A
/// percentile read from the buckets is the lower bound of the bucket that holds the nearest-rank time: never above the
/// measured time and less than 10 % below it (exact for times under 100 ms and for times of two significant digits,
/// such as whole seconds up to 99 s). The slowest time is kept exactly.
/// </summary>
public sealed class SpeedHistogram
{
    private readonly SortedDictionary<long, int> _buckets = [];

    /// <summary>How many times were added.</summary>
    public int Count { get; private set; }

    /// <summary>The slowest time added, in milliseconds.</summary>
    public long MaxMs { get; private set; }

    /// <summary>The non-empty buckets: lower bound in milliseconds → count.</summary>
    public IReadOnlyDictionary<long, int> Buckets => _buckets;

    /// <summary>The lower bound of the bucket of <paramref name="milliseconds"/>.</summary>
    public static long BucketOf(long milliseconds)
    {
        if (milliseconds < 100)
        {
            return Math.Max(0, milliseconds);
        }

        var scale = 1L;
        while (milliseconds / scale >= 100)
        {
            scale *= 10;
        }

        return milliseconds / scale * scale;
    }

    /// <summary>Adds one measured time.</summary>
    public void Add(long milliseconds) => Add(BucketOf(milliseconds), 1, milliseconds);

    /// <summary>Adds <paramref name="count"/> times of one bucket whose slowest is <paramref name="maxMs"/>.</summary>
    public void Add(long bucket, int count, long maxMs)
    {
        if (count <= 0)
        {
            return;
        }

        _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + count;
        Count += count;
        MaxMs = Math.Max(MaxMs, maxMs);
    }

    /// <summary>Adds every time of <paramref name="other"/>.</summary>
    public void Add(SpeedHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (bucket, count) in other._buckets)
        {
            Add(bucket, count, other.MaxMs);
        }
    }

    /// <summary>The buckets as text (<c>bucket:count</c>, comma-separated), for storage.</summary>
    public string Format() => string.Join(',', _buckets.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}:{kv.Value}")));

    /// <summary>Reads what <see cref="Format"/> wrote; <paramref name="maxMs"/> is the stored slowest time.</summary>
    public static SpeedHistogram Parse(string? text, long maxMs)
    {
        var histogram = new SpeedHistogram();
        foreach (var pair in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(':');
            if (parts.Length == 2 &&
                long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) &&
                int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                histogram.Add(bucket, count, maxMs);
            }
            else
            {
                throw new InvalidDataException($"'{pair}' is not a speed-to-lead bucket.");
            }
        }

        return histogram;
    }

    /// <summary>The nearest-rank p50 and p90 (bucket lower bounds, capped at the slowest) and the slowest; null when empty.</summary>
    public SpeedToLeadSummary? Summary() => Count == 0
        ? null
        : new SpeedToLeadSummary
        {
            Count = Count,
            P50Seconds = Percentile(50) / 1000.0,
            P90Seconds = Percentile(90) / 1000.0,
            MaxSeconds = MaxMs / 1000.0,
        };

    private long Percentile(int percentile)
    {
        var rank = ((long)percentile * Count + 99) / 100;
        var seen = 0L;
        foreach (var (bucket, count) in _buckets)
        {
            seen += count;
            if (seen >= rank)
            {
                return Math.Min(bucket, MaxMs);
            }
        }

        return MaxMs;
    }
}

/// <summary>
/// The funnel counters of one campaign (or of one rep's handoffs of that campaign) over some period, as kept at write
/// time in storage: added together at read time.
/// </summary>
public sealed class FunnelCounts
{
    /// <summary>The campaign the moves are attributed to.</summary>
    public required string Campaign { get; init; }

    /// <summary>The rep, for a rep's speed-to-lead counter; null for the campaign's counter.</summary>
    public string? OwnerId { get; init; }

    /// <summary>Moves to MQL.</summary>
    public int Mqls { get; set; }

    /// <summary>Moves to SAL.</summary>
    public int Sals { get; set; }

    /// <summary>Moves to SQL.</summary>
    public int Sqls { get; set; }

    /// <summary>Moves to CLOSED_WON.</summary>
    public int Wins { get; set; }

    /// <summary>Moves to CLOSED_LOST.</summary>
    public int Losses { get; set; }

    /// <summary>Moves to DISQUALIFIED (the summary counts those from their feedback rows).</summary>
    public int Disqualifications { get; set; }

    /// <summary>Moves back to NEW (recycles).</summary>
    public int Recycles { get; set; }

    /// <summary>Loss reason code → count.</summary>
    public Dictionary<string, int> LossReasons { get; } = new(StringComparer.Ordinal);

    /// <summary>Disqualification reason code → count, with the category and label of its latest use.</summary>
    public Dictionary<string, ReasonCounter> Reasons { get; } = new(StringComparer.Ordinal);

    /// <summary>The speed-to-lead of the handoffs counted.</summary>
    public SpeedHistogram SpeedToLead { get; } = new();
}

/// <summary>How often a disqualification reason was given, and what its latest use called it.</summary>
public sealed class ReasonCounter
{
    /// <summary>How many times.</summary>
    public int Count { get; set; }

    /// <summary>The category configured at its latest use.</summary>
    public string Category { get; set; } = "other";

    /// <summary>The label configured at its latest use.</summary>
    public string? Label { get; set; }

    /// <summary>When it was last given.</summary>
    public DateTimeOffset LatestAt { get; set; }

    /// <summary>Adds <paramref name="count"/> uses; the later use names the category and label.</summary>
    public void Add(int count, string category, string? label, DateTimeOffset at)
    {
        Count += count;
        if (at >= LatestAt)
        {
            LatestAt = at;
            Category = category;
            Label = label ?? Label;
        }
    }
}

/// <summary>One funnel move to count: when, for which campaign and rep, and what it adds.</summary>
public sealed record FunnelMove
{
    /// <summary>The lead.</summary>
    public required string LeadId { get; init; }

    /// <summary>The move's place in the lead's history (1 is the first), which makes it countable once.</summary>
    public required int Sequence { get; init; }

    /// <summary>When the move was made.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The status moved to.</summary>
    public required LeadStatus To { get; init; }

    /// <summary>The campaign it is attributed to.</summary>
    public required string Campaign { get; init; }

    /// <summary>The reason code, for a loss or a disqualification.</summary>
    public string? ReasonCode { get; init; }

    /// <summary>The configured category of a disqualification's reason when it was counted.</summary>
    public string? ReasonCategory { get; init; }

    /// <summary>The configured label of a disqualification's reason when it was counted.</summary>
    public string? ReasonLabel { get; init; }

    /// <summary>The rep and speed-to-lead of a handoff (a move to SAL whose time was measured); null otherwise.</summary>
    public (string OwnerId, long Milliseconds)? Handoff { get; init; }

    /// <summary>
    /// The countable moves of <paramref name="lead"/> among <paramref name="entries"/> (its history entries from
    /// sequence <paramref name="firstSequence"/>). The speed-to-lead rides on the lead's latest move to SAL only: the
    /// lead keeps the time of its latest handoff alone. A disqualification's reason is named as
    /// <paramref name="policy"/> configures it now, as its feedback row is.
    /// </summary>
    public static IEnumerable<FunnelMove> Of(Lead lead, IReadOnlyList<LifecycleEntry> entries, int firstSequence, LifecyclePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(lead);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(policy);
        var campaign = FeedbackSummaryBuilder.CampaignOf(lead);
        var latestSal = LatestSalSequence(lead);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var sequence = firstSequence + i;
            var handoff = entry.To == LeadStatus.Sal && sequence == latestSal && lead.Handoff is { SpeedToLead: { } speed }
                ? (lead.OwnerId ?? FeedbackSummaryBuilder.NoOwner, (long)speed.TotalMilliseconds)
                : ((string, long)?)null;
            ReasonCode? reason = null;
            if (entry.To == LeadStatus.Disqualified)
            {
                policy.TryGetReason(LeadStatus.Disqualified, entry.ReasonCode, out reason);
            }

            yield return new FunnelMove
            {
                LeadId = lead.LeadId,
                Sequence = sequence,
                At = entry.At,
                To = entry.To,
                Campaign = entry.Campaign ?? campaign,
                ReasonCode = entry.To is LeadStatus.ClosedLost or LeadStatus.Disqualified ? entry.ReasonCode ?? "(none)" : null,
                ReasonCategory = entry.To == LeadStatus.Disqualified ? reason?.Category ?? "other" : null,
                ReasonLabel = reason?.Label,
                Handoff = handoff,
            };
        }
    }

    private static int LatestSalSequence(Lead lead)
    {
        var history = lead.History;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (history[i].To == LeadStatus.Sal)
            {
                return lead.HistoryCount - history.Count + i + 1;
            }
        }

        return 0;
    }
}

/// <summary>The funnel counters kept at write time (table <c>FunnelCounters</c>).</summary>
public interface IFunnelCounterStore
{
    /// <summary>
    /// The counters of the window, minute by minute at its edges and day by day inside it, campaign counters and rep
    /// counters alike, of the window's campaign when it names one.
    /// </summary>
    IAsyncEnumerable<FunnelCounts> ReadAsync(FeedbackSummaryQuery window, CancellationToken cancellationToken);
}
