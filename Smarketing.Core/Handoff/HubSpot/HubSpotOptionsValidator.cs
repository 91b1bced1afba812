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
            failures.Add($"Setting {s}Properties:Email must stay 'email': contacts are upserted by e-mail address.");
        }

        foreach (var (status, stage) in options.LifecycleStages.Where(kv => kv.Value.Length > 0 && !HubSpotName().IsMatch(kv.Value)))
        {
            failures.Add($"Setting {s}LifecycleStages:{status} ('{stage}') must be a lifecycle stage's internal name, e.g. salesqualifiedlead.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^[a-z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HubSpotName();
}
