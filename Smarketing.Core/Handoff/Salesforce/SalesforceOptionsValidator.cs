using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>Checks <c>Crm:Salesforce</c> when <c>Crm:Provider</c> is Salesforce; other CRMs' settings may stay empty.</summary>
internal sealed partial class SalesforceOptionsValidator(IConfiguration configuration) : IValidateOptions<SalesforceOptions>
{
    public ValidateOptionsResult Validate(string? name, SalesforceOptions options)
    {
        if (!CrmOptions.Names(configuration, SalesforceCrmClient.ProviderName))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        const string s = SalesforceOptions.SectionName + ":";
        CrmSettingChecks.CheckUrl(options.LoginUrl, s + "LoginUrl", "the org's My Domain URL, e.g. https://acme.my.salesforce.com", failures);
        CrmSettingChecks.Required(options.ClientId, s + "ClientId", "the connected app's consumer key", failures);
        CrmSettingChecks.Required(options.ClientSecret, s + "ClientSecret", "the connected app's consumer secret", failures);
        var version = ApiVersion().Match(options.ApiVersion ?? string.Empty);
        if (!version.Success || int.Parse(version.Groups[1].Value, CultureInfo.InvariantCulture) < 46)
        {
            failures.Add($"Setting {s}ApiVersion ('{options.ApiVersion}') must look like v62.0 and be v46.0 or later.");
        }

        if (!SalesforceName().IsMatch(options.ExternalIdField ?? string.Empty))
        {
            failures.Add($"Setting {s}ExternalIdField ('{options.ExternalIdField}') must be the API name of the Lead's external-ID field, e.g. Smarketing_Lead_Id__c.");
        }

        foreach (var (setting, field) in options.Fields.Configured())
        {
            if (!SalesforceName().IsMatch(field))
            {
                failures.Add($"Setting {s}Fields:{setting} ('{field}') is not a Salesforce field API name.");
            }
        }

        foreach (var key in options.CreateDefaults.Keys.Where(k => !SalesforceName().IsMatch(k)))
        {
            failures.Add($"Setting {s}CreateDefaults:{key} does not name a Salesforce field.");
        }

        if (options.ApiUsageWarningPercent is < 1 or > 100)
        {
            failures.Add($"Setting {s}ApiUsageWarningPercent ({options.ApiUsageWarningPercent}) must be between 1 and 100.");
        }

        if (options.BulkThreshold < 1)
        {
            failures.Add($"Setting {s}BulkThreshold ({options.BulkThreshold}) must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^v(\d+)\.\d$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersion();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SalesforceName();
}
