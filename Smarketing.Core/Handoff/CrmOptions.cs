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

    /// <summary>How handoffs wait for a CRM that is down, rate-limited or refusing our credentials (section <c>Crm:Circuit</c>).</summary>
    public CrmCircuitOptions Circuit { get; set; } = new();

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

/// <summary>
/// The CRM circuit (section <c>Crm:Circuit</c>, see <see cref="CrmCircuit"/>): when the next probe of a CRM that
/// failed as a whole is made, per condition, and how waiting handoff messages are spread out.
/// </summary>
public sealed class CrmCircuitOptions
{
    /// <summary>The first wait before probing a CRM that is down, doubling after each failed probe; also the wait for a 429 without <c>Retry-After</c>.</summary>
    public TimeSpan ProbeDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two probes of a CRM that is down.</summary>
    public TimeSpan MaxProbeDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The wait between probes while the org's daily API limit is spent.</summary>
    public TimeSpan DailyLimitProbeDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The wait between probes while the CRM refuses our credentials.</summary>
    public TimeSpan CredentialsProbeDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most a waiting message's return is spread after the next probe, so they don't all come back at once.</summary>
    public TimeSpan DeferralJitter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest one deferral hides a message (a queue allows 7 days); a longer wait is several deferrals.</summary>
    public TimeSpan MaxDeferral { get; set; } = TimeSpan.FromDays(1);
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
        ValidateCircuit(options.Circuit, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Azure Queue Storage hides a message for at most 7 days.
    internal static readonly TimeSpan MaxQueueVisibility = TimeSpan.FromDays(7);

    private static void ValidateCircuit(CrmCircuitOptions o, List<string> failures)
    {
        const string s = "Crm:Circuit:";
        var second = TimeSpan.FromSeconds(1);
        foreach (var (name, value) in new[] { ("ProbeDelay", o.ProbeDelay), ("DailyLimitProbeDelay", o.DailyLimitProbeDelay), ("CredentialsProbeDelay", o.CredentialsProbeDelay) })
        {
            if (value < second || value > o.MaxDeferral)
            {
                failures.Add($"Setting {s}{name} ({value}) must be at least 00:00:01 and at most {s}MaxDeferral ({o.MaxDeferral}).");
            }
        }

        if (o.MaxProbeDelay < o.ProbeDelay || o.MaxProbeDelay > o.MaxDeferral)
        {
            failures.Add($"Setting {s}MaxProbeDelay ({o.MaxProbeDelay}) must be at least {s}ProbeDelay ({o.ProbeDelay}) and at most {s}MaxDeferral ({o.MaxDeferral}).");
        }

        if (o.DeferralJitter < TimeSpan.Zero || o.DeferralJitter > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Setting {s}DeferralJitter ({o.DeferralJitter}) must be between 00:00:00 and 00:05:00.");
        }

        if (o.MaxDeferral < TimeSpan.FromMinutes(1) || o.MaxDeferral > MaxQueueVisibility)
        {
            failures.Add($"Setting {s}MaxDeferral ({o.MaxDeferral}) must be between 00:01:00 and 7.00:00:00 (the longest a queue hides a message).");
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
