namespace Smarketing.Core.Feedback;

/// <summary>The marketing read API: summary and export (section <c>Feedback:Summary</c>).</summary>
public sealed class FeedbackSummaryOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Feedback:Summary";

    /// <summary>How many days back a summary or export reaches when the request gives no <c>from</c>.</summary>
    public int DefaultDays { get; set; } = 30;

    /// <summary>
    /// How many summaries one instance computes at once; a request beyond them is answered 429 with Retry-After at
    /// once instead of waiting, so callers cannot pile reads on the storage account intake depends on.
    /// </summary>
    public int MaxConcurrent { get; set; } = 4;

    /// <summary>
    /// How many rows each funnel counter is split in: a move updates one at random, so concurrent handoffs of one
    /// campaign seldom contend; the summary reads them all. May be changed at any time (rows already written are read
    /// whatever the setting).
    /// </summary>
    public int CounterShards { get; set; } = 8;
}
