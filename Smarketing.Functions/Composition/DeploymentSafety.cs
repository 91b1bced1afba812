using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;

namespace Smarketing.Functions.Composition;

/// <summary>
/// Start-up's refusal to run unsafely (validated like any options, on start). Outside
/// <c>AZURE_FUNCTIONS_ENVIRONMENT=Development</c> (which <c>func start</c> sets; Azure's default is Production) it refuses
/// unsigned intake, any secret copied from <c>local.settings.sample.json</c>, and any shared secret weaker than
/// <see cref="MinSecretBits"/>. Each failure names the setting, never its value.
/// </summary>
public sealed class DeploymentSafety
{
    /// <summary>The environment variable the Functions host and Core Tools set.</summary>
    public const string EnvironmentSetting = "AZURE_FUNCTIONS_ENVIRONMENT";

    /// <summary>The least estimated strength of a shared secret outside Development, in bits (see <see cref="EstimatedBits"/>).</summary>
    public const int MinSecretBits = 96;

    /// <summary>Settings that hold secrets the app checks deliveries against: each must be strong and new.</summary>
    public static readonly IReadOnlyList<string> SharedSecretSettings =
    [
        "Intake:Generic:Secrets", "Intake:HubSpot:ClientSecrets", "Intake:Marketo:Secrets",
        "Feedback:Salesforce:OutboundMessageSecrets", "Feedback:Salesforce:FlowSecrets",
        "Feedback:HubSpot:ClientSecrets", "Feedback:HubSpot:Secrets", "Feedback:Generic:Secrets",
    ];

    /// <summary>Settings that let an endpoint accept unsigned deliveries: Development only.</summary>
    public static readonly IReadOnlyList<string> AllowUnsignedSettings =
        ["Intake:Generic:AllowUnsigned", "Intake:HubSpot:AllowUnsigned", "Intake:Marketo:AllowUnsigned", "Feedback:Generic:AllowUnsigned"];

    /// <summary>The key of the HMAC that derives lead ids from e-mail addresses: required, strong and new outside Development.</summary>
    public const string LeadIdKeySetting = "Intake:LeadIdKey";

    /// <summary>Credentials a vendor issues: their strength is the vendor's, but a sample value is never accepted.</summary>
    public static readonly IReadOnlyList<string> VendorCredentialSettings = ["Crm:Salesforce:ClientSecret", "Crm:HubSpot:AccessToken"];

    /// <summary>
    /// Every secret <c>local.settings.sample.json</c> ships with (a test keeps this list and the file in step): anyone who
    /// has read the repository knows them.
    /// </summary>
    public static readonly IReadOnlySet<string> SampleSecrets = new HashSet<string>(StringComparer.Ordinal)
    {
        "local-om-token-change-me", "local-flow-secret-change-me", "local-hubspot-client-secret", "local-hubspot-api-key-change-me",
    };

    /// <summary>
    /// Whether <see cref="EnvironmentSetting"/> is <c>Development</c> (a local run), where the app may run open. Never on
    /// App Service (<c>WEBSITE_INSTANCE_ID</c> is set there): one copied setting must not open a deployed app.
    /// </summary>
    public static bool IsDevelopment(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.Equals(configuration[EnvironmentSetting], "Development", StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]);
    }

    /// <summary>
    /// A plain estimate of a secret's strength: its length times log2 of the number of distinct characters it uses.
    /// 32 random base64 characters give about 190 bits; <c>password1234</c> gives 40; a repeated character gives 0.
    /// </summary>
    public static int EstimatedBits(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var distinct = secret.Distinct().Count();
        return distinct <= 1 ? 0 : (int)Math.Floor(secret.Length * Math.Log2(distinct));
    }
}

internal sealed class DeploymentSafetyValidator(IConfiguration configuration) : IValidateOptions<DeploymentSafety>
{
    public ValidateOptionsResult Validate(string? name, DeploymentSafety options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(configuration["Intake:AllowUnsigned"]))
        {
            failures.Add("Setting Intake:AllowUnsigned is no longer read: unsigned intake is decided per source (Intake:Generic:AllowUnsigned, Intake:HubSpot:AllowUnsigned, Intake:Marketo:AllowUnsigned), and only in Development.");
        }

        var environment = configuration[DeploymentSafety.EnvironmentSetting];
        if (DeploymentSafety.IsDevelopment(configuration))
        {
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        var where = string.IsNullOrEmpty(environment)
            ? $"{DeploymentSafety.EnvironmentSetting} is not set, which is Production"
            : string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase)
                ? $"{DeploymentSafety.EnvironmentSetting} is 'Development', but WEBSITE_INSTANCE_ID says this is App Service"
                : $"{DeploymentSafety.EnvironmentSetting} is '{environment}'";
        foreach (var key in DeploymentSafety.AllowUnsignedSettings)
        {
            if (bool.TryParse(configuration[key], out var allow) && allow)
            {
                failures.Add($"Setting {key} is true outside Development ({where}): configure the endpoint's secret instead; unsigned deliveries are for a local run only.");
            }
        }

        foreach (var key in DeploymentSafety.SharedSecretSettings.Concat(DeploymentSafety.VendorCredentialSettings))
        {
            var shared = DeploymentSafety.SharedSecretSettings.Contains(key);
            foreach (var (secret, index) in ListSetting.Parse(configuration[key]).Select((s, i) => (s, i)))
            {
                var which = string.Create(CultureInfo.InvariantCulture, $"Setting {key} (entry {index + 1})");
                if (DeploymentSafety.SampleSecrets.Contains(secret))
                {
                    failures.Add($"{which} holds a value from local.settings.sample.json, which anyone who read the repository knows ({where}); generate a new one, e.g. openssl rand -base64 32.");
                }
                else if (shared && DeploymentSafety.EstimatedBits(secret) < DeploymentSafety.MinSecretBits)
                {
                    failures.Add($"{which} is too weak: about {DeploymentSafety.EstimatedBits(secret)} bits (length × log2 of its distinct characters), at least {DeploymentSafety.MinSecretBits} needed ({where}); generate one, e.g. openssl rand -base64 32.");
                }
            }
        }

        // The key of the lead-id HMAC: without it (or with a known or guessable one) anyone with an address list computes ids.
        var leadIdKey = configuration[DeploymentSafety.LeadIdKeySetting];
        if (string.IsNullOrEmpty(leadIdKey))
        {
            failures.Add($"Setting {DeploymentSafety.LeadIdKeySetting} is missing ({where}): it keys the HMAC that turns e-mail addresses into lead ids; generate one, e.g. openssl rand -base64 32, and keep it for good (docs/security.md, Personal data).");
        }
        else if (leadIdKey == LeadIds.DevelopmentKey || DeploymentSafety.SampleSecrets.Contains(leadIdKey))
        {
            failures.Add($"Setting {DeploymentSafety.LeadIdKeySetting} holds a published value ({where}); generate one, e.g. openssl rand -base64 32.");
        }
        else if (DeploymentSafety.EstimatedBits(leadIdKey) < DeploymentSafety.MinSecretBits)
        {
            failures.Add($"Setting {DeploymentSafety.LeadIdKeySetting} is too weak: about {DeploymentSafety.EstimatedBits(leadIdKey)} bits (length × log2 of its distinct characters), at least {DeploymentSafety.MinSecretBits} needed ({where}); generate one, e.g. openssl rand -base64 32.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
