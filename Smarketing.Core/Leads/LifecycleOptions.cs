namespace Smarketing.Core.Leads;

/// <summary>The configurable parts of the lifecycle contract (bound from the <c>Lifecycle</c> section).</summary>
public sealed class LifecycleOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Lifecycle";

    /// <summary>Reason codes accepted for a move to DISQUALIFIED.</summary>
    public IList<ReasonCode> DisqualificationReasons { get; init; } = [];

    /// <summary>Reason codes accepted for a move to CLOSED_LOST.</summary>
    public IList<ReasonCode> ClosedLostReasons { get; init; } = [];

    /// <summary>How long a DISQUALIFIED or CLOSED_LOST lead must rest before it may be recycled to NEW.</summary>
    public TimeSpan RecycleCooldown { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The reason codes shipped when configuration names none.</summary>
    public static LifecycleOptions CreateDefault() => new()
    {
        DisqualificationReasons =
        [
            new() { Code = "NOT_A_FIT", Label = "Not a fit for our product", Category = "fit" },
            new() { Code = "TOO_SMALL", Label = "Company too small", Category = "fit" },
            new() { Code = "NO_BUDGET", Label = "No budget", Category = "fit" },
            new() { Code = "BAD_TIMING", Label = "Not buying in the next 12 months", Category = "timing" },
            new() { Code = "BAD_DATA", Label = "Contact data wrong or fake", Category = "data-quality" },
            new() { Code = "DUPLICATE", Label = "Duplicate of another lead", Category = "data-quality" },
            new() { Code = "UNRESPONSIVE", Label = "No answer after the cadence", Category = "unresponsive" },
            new() { Code = "COMPETITOR", Label = "Works for a competitor", Category = "fit" },
        ],
        ClosedLostReasons =
        [
            new() { Code = "LOST_TO_COMPETITOR", Label = "Lost to a competitor", Category = "competitor" },
            new() { Code = "NO_DECISION", Label = "No decision", Category = "timing" },
            new() { Code = "PRICE", Label = "Price", Category = "fit" },
            new() { Code = "NO_BUDGET", Label = "No budget", Category = "fit" },
        ],
    };
}
