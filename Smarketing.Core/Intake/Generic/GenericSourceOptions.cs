
namespace Smarketing.Core.Intake.Generic;

/// <summary>The generic source: Standard Webhooks signatures (section <c>Intake:Generic</c>).</summary>
public sealed class GenericSourceOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Intake:Generic";

    /// <summary>
    /// Accept this source's deliveries unsigned while it has no secret configured. Development only: outside
    /// <c>AZURE_FUNCTIONS_ENVIRONMENT=Development</c> the app refuses to start with it set.
    /// </summary>
    public bool AllowUnsigned { get; set; }

    /// <summary>The largest body accepted, in bytes (64 KiB unless set; <see cref="BodyLimits.Min"/> to <see cref="BodyLimits.Max"/>).</summary>
    public int MaxBodyBytes { get; set; } = BodyLimits.Default;

    /// <summary>Comma-separated Standard Webhooks secrets (<c>whsec_...</c>); several may be active during a rotation.</summary>
    public string? Secrets { get; set; }

    /// <summary>The decoded keys of <see cref="Secrets"/>; undecodable entries are left out (the validator names them).</summary>
    public IReadOnlyList<byte[]> Keys() => StandardWebhooks.Keys(Secrets);
}
