using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Intake.HubSpot;

/// <summary>HubSpot workflow webhooks: v3 request signatures (v2 on opt-in), the contact's properties mapped onto the lead.</summary>
public sealed class HubSpotLeadSource(IOptions<HubSpotSourceOptions> options, LeadIds ids) : ILeadSource
{
    private readonly HubSpotSourceOptions _options = options.Value;
    private readonly IReadOnlyList<string> _secrets = options.Value.ClientSecretList();
    private readonly VendorMapping _mapping = options.Value.Mapping();

    /// <inheritdoc/>
    public string Name => "HubSpot";

    /// <inheritdoc/>
    public string SecretSetting => "Intake__HubSpot__ClientSecrets";

    /// <inheritdoc/>
    public bool HasSecrets => _secrets.Count > 0;

    /// <inheritdoc/>
    public bool AllowsUnsigned { get; } = options.Value.AllowUnsigned;

    /// <inheritdoc/>
    public string? PublicBaseUrl => _options.PublicBaseUrl;

    /// <inheritdoc/>
    public int MaxBodyBytes { get; } = options.Value.MaxBodyBytes;

    /// <inheritdoc/>
    public bool RetriesRefusals => false;

    /// <inheritdoc/>
    public AuthenticationResult Authenticate(WebhookRequest request, DateTimeOffset now) =>
        HubSpotSignatures.Verify(request, _secrets, now, _options.AllowV2Signatures);

    /// <inheritdoc/>
    public LeadSubmission? Read(ReadOnlyMemory<byte> body, out FieldErrors errors) => VendorLeadAdapter.FromHubSpot(body, _mapping, ids, out errors);

    /// <inheritdoc/>
    public string? ObjectId(ReadOnlyMemory<byte> body) => HubSpotContactReader.ObjectId(body.Span);
}
