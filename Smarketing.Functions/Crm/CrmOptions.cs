using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff.HubSpot;
using Smarketing.Core.Handoff.Salesforce;

namespace Smarketing.Functions.Crm;

public enum CrmProvider
{
    Sandbox,
    Salesforce,
    HubSpot,
}

/// <summary>Which CRM the handoff calls and how (section <c>Crm</c>).</summary>
public sealed class CrmOptions
{
    public const string SectionName = "Crm";

    public string Provider { get; set; } = nameof(CrmProvider.Sandbox);

    public SalesforceOptions Salesforce { get; set; } = new();

    public HubSpotOptions HubSpot { get; set; } = new();

    public CrmResilienceOptions Resilience { get; set; } = new();

    public CrmProvider ProviderKind => Enum.Parse<CrmProvider>(Provider, ignoreCase: true);
}

/// <summary>
/// The resilience of one handoff's CRM calls (section <c>Crm:Resilience</c>). The defaults keep one
/// invocation's CRM time under <see cref="TotalTimeout"/> = 60 s, far inside host.json's functionTimeout (5 min)
/// and the lease the queue trigger holds on a message while it runs.
/// </summary>
public sealed class CrmResilienceOptions
{
    /// <summary>The longest one invocation spends on the CRM, retries and waits included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest one HTTP attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, within one invocation.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff delay; it doubles each retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest computed backoff delay.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The longest <c>Retry-After</c> honoured inside an invocation; a CRM asking for longer is not retried in
    /// process: the message goes back to the queue and its next delivery tries again.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The share of failed calls in <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>The calls needed in <see cref="SamplingDuration"/> before the circuit may open.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The window the failure ratio is measured over.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls at once before letting one through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed partial class CrmOptionsValidator : IValidateOptions<CrmOptions>
{
    // host.json's functionTimeout is 5 minutes; the CRM must leave the function time to write the ledger.
    internal static readonly TimeSpan MaxTotalTimeout = TimeSpan.FromMinutes(4);

    public ValidateOptionsResult Validate(string? name, CrmOptions options)
    {
        if (string.IsNullOrEmpty(options.Provider) || !options.Provider.All(char.IsAsciiLetter) || !Enum.TryParse<CrmProvider>(options.Provider, ignoreCase: true, out var provider))
        {
            return ValidateOptionsResult.Fail($"Setting Crm:Provider is '{options.Provider}'; this build supports: {string.Join(", ", Enum.GetNames<CrmProvider>())}.");
        }

        var failures = new List<string>();
        switch (provider)
        {
            case CrmProvider.Salesforce:
                ValidateSalesforce(options.Salesforce, failures);
                break;
            case CrmProvider.HubSpot:
                ValidateHubSpot(options.HubSpot, failures);
                break;
        }

        ValidateResilience(options.Resilience, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateSalesforce(SalesforceOptions o, List<string> failures)
    {
        const string s = "Crm:Salesforce:";
        CheckUrl(o.LoginUrl, s + "LoginUrl", "the org's My Domain URL, e.g. https://acme.my.salesforce.com", failures);
        Required(o.ClientId, s + "ClientId", "the connected app's consumer key", failures);
        Required(o.ClientSecret, s + "ClientSecret", "the connected app's consumer secret", failures);
        var version = ApiVersion().Match(o.ApiVersion ?? string.Empty);
        if (!version.Success || int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < 46)
        {
            failures.Add($"Setting {s}ApiVersion ('{o.ApiVersion}') must look like v62.0 and be v46.0 or later.");
        }

        if (!SalesforceName().IsMatch(o.ExternalIdField ?? string.Empty))
        {
            failures.Add($"Setting {s}ExternalIdField ('{o.ExternalIdField}') must be the API name of the Lead's external-ID field, e.g. Smarketing_Lead_Id__c.");
        }

        foreach (var (setting, field) in o.Fields.Configured())
        {
            if (!SalesforceName().IsMatch(field))
            {
                failures.Add($"Setting {s}Fields:{setting} ('{field}') is not a Salesforce field API name.");
            }
        }

        foreach (var key in o.CreateDefaults.Keys.Where(k => !SalesforceName().IsMatch(k)))
        {
            failures.Add($"Setting {s}CreateDefaults:{key} does not name a Salesforce field.");
        }

        if (o.ApiUsageWarningPercent is < 1 or > 100)
        {
            failures.Add($"Setting {s}ApiUsageWarningPercent ({o.ApiUsageWarningPercent}) must be between 1 and 100.");
        }
    }

    private static void ValidateHubSpot(HubSpotOptions o, List<string> failures)
    {
        const string s = "Crm:HubSpot:";
        CheckUrl(o.BaseUrl, s + "BaseUrl", "https://api.hubapi.com", failures);
        Required(o.AccessToken, s + "AccessToken", "the private app's access token", failures);
        foreach (var (setting, property) in o.Properties.Configured())
        {
            if (!HubSpotName().IsMatch(property))
            {
                failures.Add($"Setting {s}Properties:{setting} ('{property}') is not a HubSpot property internal name (lower case letters, digits, underscores).");
            }
        }

        if (string.IsNullOrWhiteSpace(o.Properties.Email))
        {
            failures.Add($"Setting {s}Properties:Email must stay 'email': contacts are upserted by e-mail address.");
        }

        foreach (var (status, stage) in o.LifecycleStages.Where(kv => kv.Value.Length > 0 && !HubSpotName().IsMatch(kv.Value)))
        {
            failures.Add($"Setting {s}LifecycleStages:{status} ('{stage}') must be a lifecycle stage's internal name, e.g. salesqualifiedlead.");
        }
    }

    private static void ValidateResilience(CrmResilienceOptions o, List<string> failures)
    {
        const string s = "Crm:Resilience:";
        if (o.TotalTimeout <= TimeSpan.Zero || o.TotalTimeout > MaxTotalTimeout)
        {
            failures.Add($"Setting {s}TotalTimeout ({o.TotalTimeout}) must be positive and at most {MaxTotalTimeout} (host.json's functionTimeout is 5 minutes).");
        }

        if (o.AttemptTimeout <= TimeSpan.Zero || o.AttemptTimeout > o.TotalTimeout)
        {
            failures.Add($"Setting {s}AttemptTimeout ({o.AttemptTimeout}) must be positive and at most {s}TotalTimeout.");
        }

        if (o.MaxRetries is < 0 or > 10)
        {
            failures.Add($"Setting {s}MaxRetries ({o.MaxRetries}) must be between 0 and 10.");
        }

        if (o.BaseDelay <= TimeSpan.Zero || o.MaxDelay < o.BaseDelay)
        {
            failures.Add($"Settings {s}BaseDelay ({o.BaseDelay}) and {s}MaxDelay ({o.MaxDelay}) must be positive, MaxDelay at least BaseDelay.");
        }

        if (o.MaxRetryAfter < TimeSpan.Zero || o.MaxRetryAfter >= o.TotalTimeout)
        {
            failures.Add($"Setting {s}MaxRetryAfter ({o.MaxRetryAfter}) must be shorter than {s}TotalTimeout.");
        }

        if (o.FailureRatio is <= 0 or > 1)
        {
            failures.Add($"Setting {s}FailureRatio ({o.FailureRatio}) must be above 0 and at most 1.");
        }

        if (o.MinimumThroughput < 2)
        {
            failures.Add($"Setting {s}MinimumThroughput ({o.MinimumThroughput}) must be at least 2.");
        }

        if (o.SamplingDuration < TimeSpan.FromMilliseconds(500) || o.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"Settings {s}SamplingDuration and {s}BreakDuration must be at least 00:00:00.5.");
        }
    }

    private static void Required(string? value, string setting, string what, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"Setting {setting} ({setting.Replace(":", "__", StringComparison.Ordinal)}) is required: {what}.");
        }
    }

    private static void CheckUrl(string? value, string setting, string example, List<string> failures)
    {
        // Plain http is accepted for a CRM stand-in on this machine only.
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            failures.Add($"Setting {setting} ({setting.Replace(":", "__", StringComparison.Ordinal)}) is '{value}'; it must be an https URL, e.g. {example}.");
        }
    }

    [GeneratedRegex(@"^v(\d+)\.\d$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersion();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SalesforceName();

    [GeneratedRegex(@"^[a-z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HubSpotName();
}
