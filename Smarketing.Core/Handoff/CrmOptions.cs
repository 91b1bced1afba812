using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff.Sandbox;

namespace Smarketing.Core.Handoff;

/// <summary>
/// Which CRM the handoff calls and how (section <c>Crm</c>). Each CRM's own connection settings live in its
/// subsection (<c>Crm:Salesforce</c>, <c>Crm:HubSpot</c>) and are bound and validated by its folder.
/// </summary>
public sealed class CrmOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Crm";

    /// <summary>The setting that names the CRM.</summary>
    public const string ProviderSetting = SectionName + ":" + nameof(Provider);

    /// <summary>The name of a registered CRM (compared case-insensitively); the sandbox by default.</summary>
    public string Provider { get; set; } = SandboxCrmClient.ProviderName;

    /// <summary>The resilience of the CRM's HTTP calls (section <c>Crm:Resilience</c>).</summary>
    public CrmResilienceOptions Resilience { get; set; } = new();

    /// <summary>
    /// True when <c>Crm:Provider</c> names <paramref name="provider"/>. Read from configuration, not from the
    /// validated options, so that a CRM's validator stays silent (instead of failing twice) when
    /// <c>Crm:Provider</c> itself is bad.
    /// </summary>
    public static bool Names(IConfiguration configuration, string provider)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.Equals(configuration[ProviderSetting] ?? SandboxCrmClient.ProviderName, provider, StringComparison.OrdinalIgnoreCase);
    }
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

internal sealed class CrmOptionsValidator(CrmProviders providers) : IValidateOptions<CrmOptions>
{
    // host.json's functionTimeout is 5 minutes; the CRM must leave the function time to write the ledger.
    internal static readonly TimeSpan MaxTotalTimeout = TimeSpan.FromMinutes(4);

    public ValidateOptionsResult Validate(string? name, CrmOptions options)
    {
        if (providers.Find(options.Provider) is null)
        {
            return ValidateOptionsResult.Fail($"Setting {CrmOptions.ProviderSetting} is '{options.Provider}'; this build supports: {string.Join(", ", providers.Names)}.");
        }

        var failures = new List<string>();
        ValidateResilience(options.Resilience, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
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
}

/// <summary>Checks shared by the CRM validators; each message names the setting and its environment variable.</summary>
internal static class CrmSettingChecks
{
    public static void Required(string? value, string setting, string what, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"Setting {setting} ({setting.Replace(":", "__", StringComparison.Ordinal)}) is required: {what}.");
        }
    }

    public static void CheckUrl(string? value, string setting, string example, List<string> failures)
    {
        // Plain http is accepted for a CRM stand-in on this machine only.
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            failures.Add($"Setting {setting} ({setting.Replace(":", "__", StringComparison.Ordinal)}) is '{value}'; it must be an https URL, e.g. {example}.");
        }
    }
}
