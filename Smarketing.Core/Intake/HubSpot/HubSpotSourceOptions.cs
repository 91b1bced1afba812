using Smarketing.Core.Contracts;

namespace Smarketing.Core.Intake.HubSpot;

/// <summary>The HubSpot source: workflow webhooks signed with the app's client secret (section <c>Intake:HubSpot</c>).</summary>
public sealed class HubSpotSourceOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Intake:HubSpot";

    /// <summary>
    /// Accept this source's deliveries unsigned while it has no secret configured. Development only: outside
    /// <c>AZURE_FUNCTIONS_ENVIRONMENT=Development</c> the app refuses to start with it set.
    /// </summary>
    public bool AllowUnsigned { get; set; }

    /// <summary>The largest body accepted, in bytes (1 MiB unless set; <see cref="BodyLimits.Min"/> to <see cref="BodyLimits.Max"/>).</summary>
    public int MaxBodyBytes { get; set; } = BodyLimits.HubSpotDefault;

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

    /// <summary>The entries of <see cref="ClientSecrets"/>.</summary>
    public IReadOnlyList<string> ClientSecretList() => ListSetting.Parse(ClientSecrets);

    internal VendorMapping Mapping() => new() { Fields = Fields, Activities = Activities };
}
