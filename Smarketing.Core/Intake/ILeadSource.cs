using Smarketing.Core.Contracts;

namespace Smarketing.Core.Intake;

/// <summary>
/// A marketing platform that delivers leads by webhook: how its deliveries authenticate and how its body maps onto the
/// canonical lead. Each source lives in its own folder and registers itself in <see cref="IntakeRegistration.AddIntake"/>.
/// </summary>
public interface ILeadSource
{
    /// <summary>The source's name: matched case-insensitively against the route, and the prefix of its delivery ids.</summary>
    string Name { get; }

    /// <summary>The environment setting that holds its secrets, named when none is configured.</summary>
    string SecretSetting { get; }

    /// <summary>True when at least one secret is configured.</summary>
    bool HasSecrets { get; }

    /// <summary>
    /// True when the operator chose to accept this source's deliveries unsigned while it has no secret (its
    /// <c>AllowUnsigned</c> setting; Development only). Never decided by the caller: a delivery that names another
    /// source by route or header gets that source's rule.
    /// </summary>
    bool AllowsUnsigned { get; }

    /// <summary>The public base URL the vendor calls, to rebuild the URI it signed behind a proxy; null when it signs no URI.</summary>
    string? PublicBaseUrl { get; }

    /// <summary>The largest body read for this source (its <c>MaxBodyBytes</c> setting); a larger one is refused with 413 before parsing.</summary>
    int MaxBodyBytes { get; }

    /// <summary>
    /// False for a vendor that drops a delivery answered with a 4xx (other than 429) instead of sending it again:
    /// its refusals are recorded, so a lead that never arrived can be traced.
    /// </summary>
    bool RetriesRefusals { get; }

    /// <summary>Authenticates a delivery against the configured secrets.</summary>
    AuthenticationResult Authenticate(WebhookRequest request, DateTimeOffset now);

    /// <summary>The vendor's id of the record in an authenticated body, for a refusal record; null when unreadable or the source has none.</summary>
    string? ObjectId(ReadOnlyMemory<byte> body);

    /// <summary>Reads the lead from an authenticated body; null with every bad field named when it cannot.</summary>
    LeadSubmission? Read(ReadOnlyMemory<byte> body, out FieldErrors errors);
}
