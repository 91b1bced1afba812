using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Intake.Marketo;

/// <summary>Marketo webhooks: a shared secret in a header, a JSON template of lead tokens mapped onto the lead.</summary>
public sealed class MarketoLeadSource(IOptions<MarketoSourceOptions> options, LeadIds ids) : ILeadSource
{
    private readonly MarketoSourceOptions _options = options.Value;
    private readonly IReadOnlyList<string> _secrets = options.Value.SecretList();
    private readonly VendorMapping _mapping = options.Value.Mapping();

    /// <inheritdoc/>
    public string Name => "Marketo";

    /// <inheritdoc/>
    public string SecretSetting => "Intake__Marketo__Secrets";

    /// <inheritdoc/>
    public bool HasSecrets => _secrets.Count > 0;

    /// <inheritdoc/>
    public bool AllowsUnsigned { get; } = options.Value.AllowUnsigned;

    /// <inheritdoc/>
    public string? PublicBaseUrl => null;

    /// <inheritdoc/>
    public int MaxBodyBytes { get; } = options.Value.MaxBodyBytes;

    /// <inheritdoc/>
    public bool RetriesRefusals => true;

    /// <inheritdoc/>
    public AuthenticationResult Authenticate(WebhookRequest request, DateTimeOffset now) => SharedSecret.Verify(request, _options.SecretHeader, _secrets);

    /// <inheritdoc/>
    public LeadSubmission? Read(ReadOnlyMemory<byte> body, out FieldErrors errors) => VendorLeadAdapter.FromMarketo(body, _mapping, ids, out errors);

    /// <inheritdoc/>
    public string? ObjectId(ReadOnlyMemory<byte> body) => null;
}
