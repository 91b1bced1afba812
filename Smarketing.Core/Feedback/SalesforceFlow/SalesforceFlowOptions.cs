using Smarketing.Core.Feedback.SalesforceOutbound;

namespace Smarketing.Core.Feedback.SalesforceFlow;

/// <summary>Salesforce Flow HTTP callouts, from section <c>Feedback:Salesforce</c>, which the Outbound Messages share.</summary>
public sealed class SalesforceFlowOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = SalesforceOutboundOptions.SectionName;

    /// <summary>Comma-separated secrets, one of which a Flow callout sends in the <c>X-Smarketing-Secret</c> header.</summary>
    public string? FlowSecrets { get; set; }

    /// <summary>
    /// The org's Lead fields and the translation of its picklist values: the same setting the Outbound Messages read (their
    /// validator checks it), since both formats carry the same Lead.
    /// </summary>
    public FeedbackFieldMap Fields { get; set; } = SalesforceOutboundOptions.DefaultFields();
}
