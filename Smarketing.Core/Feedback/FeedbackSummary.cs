using System.Globalization;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Feedback;

/// <summary>What a summary or export covers: a time window (from inclusive, to exclusive) and optionally one campaign.</summary>
public sealed record FeedbackSummaryQuery
{
    /// <summary>The most reasons listed per campaign.</summary>
    public const int MaxTop = 50;

    /// <summary>The default number of reasons listed per campaign.</summary>
    public const int DefaultTop = 5;

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>The start of the window, inclusive.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>The end of the window, exclusive.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>The one campaign to report on, or null for all.</summary>
    public string? Campaign { get; init; }

    /// <summary>How many reasons to list per campaign.</summary>
    public int Top { get; init; } = DefaultTop;

    /// <summary>True when <paramref name="at"/> falls in the window.</summary>
    public bool Contains(DateTimeOffset at) => at >= From && at < To;

    /// <summary>
    /// Reads <c>from</c>, <c>to</c>, <c>campaign</c> and <c>top</c> from a query string. Dates are ISO 8601: a date alone
    /// means midnight UTC, a time without an offset means UTC. <c>to</c> defaults to <paramref name="now"/>, <c>from</c> to
    /// <paramref name="defaultDays"/> before <c>to</c>. Returns null with every bad parameter named.
    /// </summary>
    public static FeedbackSummaryQuery? TryParse(
        Func<string, string?> parameter,
        DateTimeOffset now,
        int defaultDays,
        out FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        errors = new FieldErrors();
        var to = Time(parameter("to"), "to", errors) ?? now;
        var from = Time(parameter("from"), "from", errors) ?? to.AddDays(-defaultDays);
        if (errors.IsEmpty && from >= to)
        {
            errors.Add("from", $"Must be before to ({to:O}); the window is from (inclusive) to (exclusive).");
        }

        var campaign = parameter("campaign");
        if (campaign is not null)
        {
            campaign = campaign.Trim();
            if (campaign.Length == 0 || campaign.Length > 256 || campaign.Any(char.IsControl))
            {
                errors.Add("campaign", "Must be 1 to 256 characters without control characters.");
            }
        }

        var top = DefaultTop;
        var topText = parameter("top");
        if (topText is not null &&
            (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1 || top > MaxTop))
        {
            errors.Add("top", $"Must be a whole number from 1 to {MaxTop}.");
        }

        return errors.IsEmpty ? new FeedbackSummaryQuery { From = from, To = to, Campaign = campaign, Top = top } : null;
    }

    private static DateTimeOffset? Time(string? text, string name, FieldErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(
                text.Trim(),
                Formats,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var value))
        {
            if (value.Year is >= 2000 and <= 9000)
            {
                return value;
            }

            errors.Add(name, $"'{SensitiveText.Echo(text)}' is outside the years 2000 to 9000.");
            return null;
        }

        errors.Add(name, $"'{SensitiveText.Echo(text)}' is not an ISO 8601 date (2026-11-01) or date-time (2026-11-01T09:30:00Z).");
        return null;
    }
}

/// <summary>A reason code and how often it was given.</summary>
public sealed record ReasonCount
{
    /// <summary>The reason code.</summary>
    public required string Code { get; init; }

    /// <summary>The code's label.</summary>
    public string? Label { get; init; }

    /// <summary>The code's category.</summary>
    public required string Category { get; init; }

    /// <summary>How many times it was given in the window.</summary>
    public required int Count { get; init; }
}

/// <summary>The funnel and the disqualifications of one campaign (or of all, in the totals) over the window.</summary>
public sealed record FunnelSummary
{
    /// <summary>The campaign; null in the totals.</summary>
    public string? Campaign { get; init; }

    /// <summary>Moves NEW → MQL in the window.</summary>
    public int Mqls { get; init; }

    /// <summary>Moves MQL → SAL (handoffs accepted) in the window.</summary>
    public int Sals { get; init; }

    /// <summary>Moves SAL → SQL in the window.</summary>
    public int Sqls { get; init; }

    /// <summary>Moves SQL → CLOSED_WON in the window.</summary>
    public int Wins { get; init; }

    /// <summary>Moves SQL → CLOSED_LOST in the window.</summary>
    public int Losses { get; init; }

    /// <summary>Moves to DISQUALIFIED in the window.</summary>
    public int Disqualifications { get; init; }

    /// <summary>Disqualifications ÷ MQLs of the window, to four decimals; null when the window has no MQL.</summary>
    public double? DisqualificationRate { get; init; }

    /// <summary>The most frequent disqualification reasons, most frequent first (ties by code).</summary>
    public required IReadOnlyList<ReasonCount> TopReasons { get; init; }

    /// <summary>Disqualifications per reason category.</summary>
    public required IReadOnlyDictionary<string, int> ByCategory { get; init; }

    /// <summary>The most frequent reasons of lost deals.</summary>
    public required IReadOnlyList<ReasonCount> TopLossReasons { get; init; }

    /// <summary>The speed-to-lead of the leads handed off in the window; null when none was.</summary>
    public SpeedToLeadSummary? SpeedToLead { get; init; }
}

/// <summary>
/// How fast MQLs reached a rep: for the leads handed off in the window, the time from MQL to the CRM handoff, in seconds
/// (to the millisecond). Percentiles are nearest-rank: of the n times in ascending order, the p-th percentile is the one
/// at rank ⌈p/100 × n⌉, so it is always a time that was measured.
/// </summary>
public sealed record SpeedToLeadSummary
{
    /// <summary>How many handoffs were measured.</summary>
    public required int Count { get; init; }

    /// <summary>The median, nearest-rank.</summary>
    public required double P50Seconds { get; init; }

    /// <summary>The 90th percentile, nearest-rank.</summary>
    public required double P90Seconds { get; init; }

    /// <summary>The slowest.</summary>
    public required double MaxSeconds { get; init; }

    /// <summary>The summary of <paramref name="milliseconds"/>; null when there are none.</summary>
    public static SpeedToLeadSummary? Of(IEnumerable<long> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        return new SpeedToLeadSummary
        {
            Count = sorted.Length,
            P50Seconds = Seconds(NearestRank(sorted, 50)),
            P90Seconds = Seconds(NearestRank(sorted, 90)),
            MaxSeconds = Seconds(sorted[^1]),
        };
    }

    /// <summary>The <paramref name="percentile"/>-th percentile (1 to 100) of ascending <paramref name="sorted"/> values, nearest-rank.</summary>
    public static long NearestRank(IReadOnlyList<long> sorted, int percentile)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);

        // Integer arithmetic: ⌈p × n / 100⌉ without a floating-point rounding at exact ranks.
        var rank = (int)(((long)percentile * sorted.Count + 99) / 100);
        return sorted[rank - 1];
    }

    private static double Seconds(long milliseconds) => milliseconds / 1000.0;
}

/// <summary>The speed-to-lead of one rep's handoffs in the window.</summary>
public sealed record RepSpeedToLead
{
    /// <summary>The rep (the lead's owner in the CRM).</summary>
    public required string OwnerId { get; init; }

    /// <summary>The rep's speed-to-lead.</summary>
    public required SpeedToLeadSummary SpeedToLead { get; init; }
}

/// <summary>The answer of the summary API.</summary>
public sealed record FeedbackSummary
{
    /// <summary>The start of the window, inclusive.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>The end of the window, exclusive.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>The campaign asked for, or null for all.</summary>
    public string? Campaign { get; init; }

    /// <summary>Each campaign with activity in the window, highest disqualification rate first.</summary>
    public required IReadOnlyList<FunnelSummary> Campaigns { get; init; }

    /// <summary>All those campaigns together.</summary>
    public required FunnelSummary Totals { get; init; }

    /// <summary>The speed-to-lead of each rep who was handed leads in the window, by owner id.</summary>
    public IReadOnlyList<RepSpeedToLead> SpeedToLeadByRep { get; init; } = [];
}
