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
}
