using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Feedback.SalesforceOutbound;

/// <summary>The Outbound Message format, read once from its options: accepted orgs, URL tokens, the field and value maps.</summary>
public sealed class SalesforceOutboundReader
{
    /// <summary>The source of its deliveries; the org id is appended, as notification ids are unique per org.</summary>
    public const string Source = "salesforce-om";

    private readonly FeedbackFieldMap _fields;
    private readonly CrmValueMap _values;

    /// <summary>Reads the options.</summary>
    public SalesforceOutboundReader(IOptions<SalesforceOutboundOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        OrganizationIds = [.. ListSetting.Parse(value.OrganizationIds).Select(ShortOrgId)];
        Secrets = ListSetting.Parse(value.OutboundMessageSecrets);
        _fields = value.Fields;
        _values = value.Fields.Values(SalesforceOutboundOptions.FieldsSetting);
    }

    /// <summary>The accepted org ids, cut to their case-sensitive 15-character form.</summary>
    public IReadOnlyList<string> OrganizationIds { get; }

    /// <summary>The secrets an endpoint URL may carry as <c>?token=</c>.</summary>
    public IReadOnlyList<string> Secrets { get; }

    /// <summary>An 18-character Salesforce id is the 15-character one plus a case-insensitivity suffix.</summary>
    public static string ShortOrgId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length == 18 ? id[..15] : id;
    }

    /// <summary>Reads an envelope; see <see cref="SalesforceOutboundMessage.TryParse"/>.</summary>
    public SalesforceOutboundMessage? TryParse(ReadOnlyMemory<byte> body, out FieldErrors errors) =>
        SalesforceOutboundMessage.TryParse(body, _fields, _values, out errors);
}
