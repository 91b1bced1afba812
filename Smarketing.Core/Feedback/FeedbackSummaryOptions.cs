namespace Smarketing.Core.Feedback;

/// <summary>The marketing read API: summary and export (section <c>Feedback:Summary</c>).</summary>
public sealed class FeedbackSummaryOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Feedback:Summary";

    /// <summary>How many days back a summary or export reaches when the request gives no <c>from</c>.</summary>
    public int DefaultDays { get; set; } = 30;
}
