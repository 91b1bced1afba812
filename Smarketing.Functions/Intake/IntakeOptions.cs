using Microsoft.Extensions.Options;
using Smarketing.Core.Intake;

namespace Smarketing.Functions.Intake;

/// <summary>Webhook intake: which sources are accepted and how each one authenticates (section <c>Intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string SectionName = "Intake";

    /// <summary>Accept deliveries without a signature or secret. For local development only.</summary>
    public bool AllowUnsigned { get; set; }

    public GenericSourceOptions Generic { get; set; } = new();

    public HubSpotSourceOptions HubSpot { get; set; } = new();

    public MarketoSourceOptions Marketo { get; set; } = new();

    internal static IReadOnlyList<string> SplitSecrets(string? value) =>
        (value ?? string.Empty).Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

public sealed class GenericSourceOptions
{
    /// <summary>Comma-separated Standard Webhooks secrets (<c>whsec_...</c>); several may be active during a rotation.</summary>
    public string? Secrets { get; set; }

    internal IReadOnlyList<byte[]> Keys() => IntakeOptions.SplitSecrets(Secrets)
        .Select(s => StandardWebhooks.TryDecodeSecret(s, out var key) ? key : [])
        .Where(k => k.Length > 0)
        .ToList();
}

public sealed class HubSpotSourceOptions
{
    /// <summary>Comma-separated client secrets of the HubSpot app (v3 signatures); several may be active.</summary>
    public string? ClientSecrets { get; set; }

    /// <summary>Also accept v2 signatures (no timestamp, so replayable); off unless an old workflow needs it.</summary>
    public bool AllowV2Signatures { get; set; }

    /// <summary>The app's public base URL as HubSpot calls it (e.g. https://my-app.azurewebsites.net), to rebuild the signed URI behind proxies.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Lead field → HubSpot contact property.</summary>
    public IDictionary<string, string> Fields { get; init; } = VendorMapping.HubSpotDefault().Fields;

    /// <summary>Activity → HubSpot contact property.</summary>
    public IDictionary<string, string> Activities { get; init; } = VendorMapping.HubSpotDefault().Activities;

    internal VendorMapping Mapping() => new() { Fields = Fields, Activities = Activities };
}

public sealed class MarketoSourceOptions
{
    /// <summary>Comma-separated shared secrets; several may be active during a rotation.</summary>
    public string? Secrets { get; set; }

    /// <summary>The header the Marketo webhook sends the secret in.</summary>
    public string SecretHeader { get; set; } = "X-Smarketing-Secret";

    /// <summary>Lead field → key in the Marketo webhook's JSON template.</summary>
    public IDictionary<string, string> Fields { get; init; } = VendorMapping.MarketoDefault().Fields;

    /// <summary>Activity → key in the Marketo webhook's JSON template.</summary>
    public IDictionary<string, string> Activities { get; init; } = VendorMapping.MarketoDefault().Activities;

    internal VendorMapping Mapping() => new() { Fields = Fields, Activities = Activities };
}

internal sealed class IntakeOptionsValidator : IValidateOptions<IntakeOptions>
{
    public ValidateOptionsResult Validate(string? name, IntakeOptions options)
    {
        var failures = new List<string>();
        foreach (var secret in IntakeOptions.SplitSecrets(options.Generic.Secrets))
        {
            if (!StandardWebhooks.TryDecodeSecret(secret, out var key) || key.Length < 16)
            {
                failures.Add("Setting Intake:Generic:Secrets must list Standard Webhooks secrets: 'whsec_' followed by base64 of at least 16 random bytes.");
                break;
            }
        }

        if (IntakeOptions.SplitSecrets(options.HubSpot.ClientSecrets).Any(s => s.Length < 16))
        {
            failures.Add("Setting Intake:HubSpot:ClientSecrets lists a secret shorter than 16 characters; use the app's client secret.");
        }

        if (IntakeOptions.SplitSecrets(options.Marketo.Secrets).Any(s => s.Length < 16))
        {
            failures.Add("Setting Intake:Marketo:Secrets lists a secret shorter than 16 characters; use a long random value.");
        }

        if (string.IsNullOrWhiteSpace(options.Marketo.SecretHeader))
        {
            failures.Add("Setting Intake:Marketo:SecretHeader must name a header.");
        }

        if (!string.IsNullOrEmpty(options.HubSpot.PublicBaseUrl) &&
            (!Uri.TryCreate(options.HubSpot.PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            failures.Add("Setting Intake:HubSpot:PublicBaseUrl must be an absolute http(s) URL such as https://my-app.azurewebsites.net.");
        }

        failures.AddRange(options.HubSpot.Mapping().Validate("Intake:HubSpot"));
        failures.AddRange(options.Marketo.Mapping().Validate("Intake:Marketo"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
