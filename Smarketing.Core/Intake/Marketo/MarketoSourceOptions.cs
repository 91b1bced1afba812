using Smarketing.Core.Contracts;

namespace Smarketing.Core.Intake.Marketo;

/// <summary>The Marketo source: webhooks with a shared secret in a header (section <c>Intake:Marketo</c>).</summary>
public sealed class MarketoSourceOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Intake:Marketo";

    /// <summary>
    /// Accept this source's deliveries unsigned while it has no secret configured. Development only: outside
    /// <c>AZURE_FUNCTIONS_ENVIRONMENT=Development</c> the app refuses to start with it set.
    /// </summary>
    public bool AllowUnsigned { get; set; }

    /// <summary>The largest body accepted, in bytes (64 KiB unless set; <see cref="BodyLimits.Min"/> to <see cref="BodyLimits.Max"/>).</summary>
    public int MaxBodyBytes { get; set; } = BodyLimits.Default;

    /// <summary>Comma-separated shared secrets; several may be active during a rotation.</summary>
    public string? Secrets { get; set; }

    /// <summary>The header the Marketo webhook sends the secret in.</summary>
    public string SecretHeader { get; set; } = "X-Smarketing-Secret";

    /// <summary>Lead field → key in the Marketo webhook's JSON template.</summary>
    public IDictionary<string, string> Fields { get; init; } = VendorMapping.MarketoDefault().Fields;

    /// <summary>Activity → key in the Marketo webhook's JSON template.</summary>
    public IDictionary<string, string> Activities { get; init; } = VendorMapping.MarketoDefault().Activities;

    /// <summary>The entries of <see cref="Secrets"/>.</summary>
    public IReadOnlyList<string> SecretList() => ListSetting.Parse(Secrets);

    internal VendorMapping Mapping() => new() { Fields = Fields, Activities = Activities };
}
