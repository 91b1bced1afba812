using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Feedback.SalesforceOutbound;

namespace Smarketing.Core.Feedback.SalesforceFlow;

/// <summary>
/// The Flow callout format: the generic feedback JSON whose <c>status</c> and <c>reasonCode</c> may be the org's picklist
/// values, and whose <c>eventId</c> (the flow interview's GUID) makes a retried callout a no-op.
/// </summary>
public sealed class SalesforceFlowReader(IOptions<SalesforceFlowOptions> options)
{
    /// <summary>The source of its deliveries, the partition of their ids in the delivery log.</summary>
    public const string Source = "salesforce-flow";

    private readonly CrmValueMap _values = options.Value.Fields.Values(SalesforceOutboundOptions.FieldsSetting);

    /// <summary>The secrets a callout may send in <c>X-Smarketing-Secret</c>.</summary>
    public IReadOnlyList<string> Secrets { get; } = ListSetting.Parse(options.Value.FlowSecrets);

    /// <summary>Reads a callout's body; null with every bad field named when invalid.</summary>
    public CrmFeedback? TryParse(ReadOnlyMemory<byte> body, out string? eventId, out FieldErrors errors) =>
        CrmFeedback.TryParse(body, _values, out eventId, out errors);
}
