using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Handoff.HubSpot;

/// <summary>Checks <c>Crm:HubSpot</c> when <c>Crm:Provider</c> is HubSpot; other CRMs' settings may stay empty.</summary>
internal sealed partial class HubSpotOptionsValidator(IConfiguration configuration) : IValidateOptions<HubSpotOptions>
{
    public ValidateOptionsResult Validate(string? name, HubSpotOptions options)
    {
        if (!CrmOptions.Names(configuration, HubSpotCrmClient.ProviderName))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        const string s = HubSpotOptions.SectionName + ":";
        CrmSettingChecks.CheckUrl(options.BaseUrl, s + "BaseUrl", "https://api.hubapi.com", failures);
        CrmSettingChecks.Required(options.AccessToken, s + "AccessToken", "the private app's access token", failures);
        foreach (var (setting, property) in options.Properties.Configured())
        {
            if (!HubSpotName().IsMatch(property))
            {
                failures.Add($"Setting {s}Properties:{setting} ('{property}') is not a HubSpot property internal name (lower case letters, digits, underscores).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Properties.Email))
        {
            failures.Add($"Setting {s}Properties:Email must name the e-mail property ('email'): the address is written when the handoff creates a contact.");
        }

        if (string.IsNullOrWhiteSpace(options.Properties.LeadId))
        {
            failures.Add($"Setting {s}Properties:LeadId must name the unique-value contact property that holds the lead id ('smarketing_lead_id'): contacts are upserted by it.");
        }
        else if (string.Equals(options.Properties.LeadId.Trim(), options.Properties.Email?.Trim(), StringComparison.Ordinal))
        {
            failures.Add($"Setting {s}Properties:LeadId must not be the e-mail property: two leads with one address would share a contact.");
        }

        var order = options.StageOrder;
        foreach (var stage in order.Where(stage => !HubSpotName().IsMatch(stage)))
        {
            failures.Add($"Setting {s}LifecycleStageOrder holds '{stage}', which is not a lifecycle stage's internal name (e.g. salesqualifiedlead).");
        }

        if (order.Distinct(StringComparer.OrdinalIgnoreCase).Count() != order.Count)
        {
            failures.Add($"Setting {s}LifecycleStageOrder lists a stage twice.");
        }

        foreach (var (status, stage) in options.LifecycleStages.Where(kv => kv.Value.Length > 0))
        {
            if (!HubSpotName().IsMatch(stage))
            {
                failures.Add($"Setting {s}LifecycleStages:{status} ('{stage}') must be a lifecycle stage's internal name, e.g. salesqualifiedlead.");
            }
            else if (options.StageRank(stage) < 0)
            {
                failures.Add($"Setting {s}LifecycleStages:{status} ('{stage}') is not in {s}LifecycleStageOrder ('{options.LifecycleStageOrder}'): the handoff only moves a stage forward along that order.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^[a-z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HubSpotName();
}
