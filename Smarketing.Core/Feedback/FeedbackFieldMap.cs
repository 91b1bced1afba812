using Microsoft.Extensions.Options;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback;

/// <summary>
/// The feedback direction's field map: which CRM fields (Salesforce sObject fields, HubSpot properties) carry sales'
/// feedback, and how their values translate to the lifecycle contract.
/// </summary>
public sealed class FeedbackFieldMap
{
    /// <summary>The field holding Smarketing's lead id (the external id the handoff wrote).</summary>
    public string LeadId { get; set; } = string.Empty;

    /// <summary>The field holding the lead's status.</summary>
    public string Status { get; set; } = string.Empty;

    /// <summary>The field holding the reason code of a disqualification or a lost deal.</summary>
    public string ReasonCode { get; set; } = string.Empty;

    /// <summary>The field holding sales' note; empty to ignore notes.</summary>
    public string? Note { get; set; }

    /// <summary>The field holding the rep who made the change; empty to ignore it.</summary>
    public string? Rep { get; set; }

    /// <summary>The boolean field saying sales confirmed the budget (SAL → SQL).</summary>
    public string? BudgetConfirmed { get; set; }

    /// <summary>The boolean field saying sales confirmed the timeline (SAL → SQL).</summary>
    public string? TimelineConfirmed { get; set; }

    /// <summary>CRM status values and the lifecycle status each stands for: <c>value=STATUS[:REASON];...</c>.</summary>
    public string? StatusMap { get; set; }

    /// <summary>CRM reason values and the reason code each stands for: <c>value=CODE;...</c>.</summary>
    public string? ReasonMap { get; set; }

    /// <summary>Each field setting by name with its value and whether it must be set, for validation.</summary>
    public IEnumerable<(string Name, string? Value, bool Required)> Entries() =>
    [
        (nameof(LeadId), LeadId, true),
        (nameof(Status), Status, true),
        (nameof(ReasonCode), ReasonCode, true),
        (nameof(Note), Note, false),
        (nameof(Rep), Rep, false),
        (nameof(BudgetConfirmed), BudgetConfirmed, false),
        (nameof(TimelineConfirmed), TimelineConfirmed, false),
    ];

    /// <summary>
    /// Adds a failure naming <paramref name="setting"/> for each required field left empty, each bad value map entry, and
    /// each reason code the maps use that <paramref name="lifecycle"/> does not list.
    /// </summary>
    public void Validate(string setting, IOptions<LifecycleOptions> lifecycle, ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        ArgumentNullException.ThrowIfNull(failures);
        foreach (var (field, value, required) in Entries())
        {
            if (required && string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"Setting {setting}:{field} must name the CRM field that holds it.");
            }
        }

        var map = CrmValueMap.Parse(StatusMap, ReasonMap, setting, failures);
        LifecycleOptions policy;
        try
        {
            policy = lifecycle.Value;
        }
        catch (OptionsValidationException)
        {
            // The lifecycle settings are wrong themselves; their own validator names them.
            return;
        }

        foreach (var (code, status) in map.ReferencedReasonCodes)
        {
            var known = status switch
            {
                LeadStatus.Disqualified => policy.DisqualificationReasons.Any(r => r.Code == code),
                LeadStatus.ClosedLost => policy.ClosedLostReasons.Any(r => r.Code == code),
                null => policy.DisqualificationReasons.Concat(policy.ClosedLostReasons).Any(r => r.Code == code),
                _ => false,
            };
            if (!known)
            {
                var where = status is null ? "Lifecycle:DisqualificationReasons or Lifecycle:ClosedLostReasons" : status == LeadStatus.ClosedLost ? "Lifecycle:ClosedLostReasons" : "Lifecycle:DisqualificationReasons";
                failures.Add(status is LeadStatus.Disqualified or LeadStatus.ClosedLost or null
                    ? $"Setting {setting} refers to reason code '{code}', which is not in {where}."
                    : $"Setting {setting}:StatusMap gives a reason code ('{code}') to a move to {status.Value.ToWire()}, which takes none.");
            }
        }
    }

    /// <summary>The translation of the CRM's values; entries the validator refuses are left out.</summary>
    public CrmValueMap Values(string setting) => CrmValueMap.Parse(StatusMap, ReasonMap, setting, new List<string>());
}
