using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Intake;
using Smarketing.Core.Intake.HubSpot;

namespace Smarketing.Core.Feedback.HubSpot;

/// <summary>
/// The HubSpot workflow format, read once from its options: the app's client secrets (v3 signatures, checked by the same
/// <see cref="HubSpotSignatures"/> as the lead intake; v2 is never accepted here), the API keys, and the property maps.
/// </summary>
public sealed class HubSpotWorkflowReader
{
    /// <summary>The source of its deliveries, the partition of their ids in the delivery log.</summary>
    public const string Source = "hubspot";

    private readonly FeedbackFieldMap _fields;
    private readonly CrmValueMap _values;

    /// <summary>Reads the options.</summary>
    public HubSpotWorkflowReader(IOptions<HubSpotFeedbackOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        ClientSecrets = ListSetting.Parse(value.ClientSecrets);
        Secrets = ListSetting.Parse(value.Secrets);
        PublicBaseUrl = value.PublicBaseUrl;
        _fields = value.Fields;
        _values = value.Fields.Values(HubSpotFeedbackOptions.FieldsSetting);
    }

    /// <summary>The client secrets whose v3 signatures are accepted.</summary>
    public IReadOnlyList<string> ClientSecrets { get; }

    /// <summary>The API keys a workflow may send in <c>X-Smarketing-Secret</c>.</summary>
    public IReadOnlyList<string> Secrets { get; }

    /// <summary>The public base URL HubSpot calls, to rebuild the signed URI; null to use the forwarded or request host.</summary>
    public string? PublicBaseUrl { get; }

    /// <summary>Checks the delivery's v3 signature against every client secret.</summary>
    public HubSpotSignatureCheck CheckSignature(WebhookRequest request, DateTimeOffset now) =>
        HubSpotSignatures.Check(request, ClientSecrets, now, allowV2: false);

    /// <summary>Reads the feedback from a workflow body; the item carries the errors when it cannot.</summary>
    public FeedbackItem Read(ReadOnlyMemory<byte> body) => HubSpotWorkflowPayload.Read(body, _fields, _values);
}
