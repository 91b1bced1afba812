using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Intake.Generic;

/// <summary>Any sender that signs with Standard Webhooks and sends the canonical lead body.</summary>
public sealed class GenericLeadSource(IOptions<GenericSourceOptions> options, LeadIds ids) : ILeadSource
{
    private readonly IReadOnlyList<byte[]> _keys = options.Value.Keys();

    /// <inheritdoc/>
    public string Name => "Generic";

    /// <inheritdoc/>
    public string SecretSetting => "Intake__Generic__Secrets";

    /// <inheritdoc/>
    public bool HasSecrets => _keys.Count > 0;

    /// <inheritdoc/>
    public bool AllowsUnsigned { get; } = options.Value.AllowUnsigned;

    /// <inheritdoc/>
    public string? PublicBaseUrl => null;

    /// <inheritdoc/>
    public int MaxBodyBytes { get; } = options.Value.MaxBodyBytes;

    /// <inheritdoc/>
    public bool RetriesRefusals => true;

    /// <inheritdoc/>
    public AuthenticationResult Authenticate(WebhookRequest request, DateTimeOffset now) => StandardWebhooks.Verify(request, _keys, now);

    /// <inheritdoc/>
    public LeadSubmission? Read(ReadOnlyMemory<byte> body, out FieldErrors errors) => LeadSubmissionParser.TryParse(body, ids, out errors);

    /// <inheritdoc/>
    public string? ObjectId(ReadOnlyMemory<byte> body) => null;
}
