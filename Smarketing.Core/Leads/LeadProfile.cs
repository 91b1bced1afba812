namespace Smarketing.Core.Leads;

/// <summary>
/// What the scoring engine sees of a lead: demographic fields and behavioural activity signals.
/// Vendor adapters map their payloads onto this canonical shape.
/// </summary>
public sealed record LeadProfile
{
    /// <summary>The lead's e-mail address, if known.</summary>
    public string? Email { get; init; }

    /// <summary>The lead's phone number, if known.</summary>
    public string? Phone { get; init; }

    /// <summary>The company's industry, e.g. <c>SaaS</c>.</summary>
    public string? Industry { get; init; }

    /// <summary>The company's head count.</summary>
    public int? CompanySize { get; init; }

    /// <summary>ISO country code or name of the lead's company.</summary>
    public string? Country { get; init; }

    /// <summary>The lead's job title.</summary>
    public string? JobTitle { get; init; }

    /// <summary>Any other demographic field by name (case-insensitive keys).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Behavioural signals by activity name, e.g. <c>viewedPricingPage</c> (case-insensitive keys).</summary>
    public IReadOnlyDictionary<string, ActivitySignal> Activities { get; init; } =
        new Dictionary<string, ActivitySignal>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One behavioural activity of a lead: whether it happened, how often, and when last.</summary>
public sealed record ActivitySignal
{
    /// <summary>An activity that did not happen.</summary>
    public static readonly ActivitySignal None = new() { Count = 0 };

    /// <summary>How many times the activity happened; 0 means it did not.</summary>
    public required int Count { get; init; }

    /// <summary>When the activity last happened, if the source says.</summary>
    public DateTimeOffset? LastOccurredAt { get; init; }

    /// <summary>An activity that happened once (or not), with an optional time.</summary>
    public static ActivitySignal FromFlag(bool occurred, DateTimeOffset? at = null) =>
        occurred ? new ActivitySignal { Count = 1, LastOccurredAt = at } : None;
}
