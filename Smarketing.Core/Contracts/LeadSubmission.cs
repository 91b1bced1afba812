using Smarketing.Core.Leads;

namespace Smarketing.Core.Contracts;

/// <summary>
/// A lead as a marketing webhook delivers it, in the article's shape, after validation.
/// </summary>
public sealed record LeadSubmission
{
    /// <summary>
    /// The lead's id in Smarketing: the sender's id, or the keyed id of the e-mail address when the sender gave none or gave
    /// an address as id (see <see cref="LeadIds"/>).
    /// </summary>
    public required string LeadId { get; init; }

    /// <summary>Ids an earlier version kept this lead under, looked up while <c>Intake:LegacyUnsaltedIds</c> is on.</summary>
    public IReadOnlyList<string> LegacyLeadIds { get; init; } = [];

    /// <summary>The lead's id in the CRM, if the sender knows it.</summary>
    public string? CrmId { get; init; }

    /// <summary>The rep who owns the lead, if the sender assigns one.</summary>
    public string? OwnerId { get; init; }

    /// <summary>The campaign that produced the lead.</summary>
    public string? Campaign { get; init; }

    /// <summary>The source of the lead (e.g. <c>webinar</c>, <c>paid-search</c>).</summary>
    public string? Source { get; init; }

    /// <summary>The activity that triggered the handoff, for the CRM's "last interesting moment".</summary>
    public string? TriggerAction { get; init; }

    /// <summary>What the scoring engine reads.</summary>
    public required LeadProfile Profile { get; init; }

    /// <summary>A hash of the submission's content, used to recognise a re-sent lead.</summary>
    public required string ContentHash { get; init; }
}
