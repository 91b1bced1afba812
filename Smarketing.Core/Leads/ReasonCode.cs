namespace Smarketing.Core.Leads;

/// <summary>A reason code that sales may give for a disqualification or a lost deal.</summary>
public sealed record ReasonCode
{
    /// <summary>The code as the CRM sends it, e.g. <c>NO_BUDGET</c>.</summary>
    public required string Code { get; init; }

    /// <summary>A label for people, e.g. "No budget this year".</summary>
    public string? Label { get; init; }

    /// <summary>A grouping for reports: fit, timing, data-quality, unresponsive, competitor, other.</summary>
    public string Category { get; init; } = "other";
}
