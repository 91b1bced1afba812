using System.Xml;
using System.Xml.Linq;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Feedback.SalesforceOutbound;

/// <summary>
/// A Salesforce Outbound Message: the SOAP <c>notifications</c> call, with up to 100 <c>Notification</c>s, each the
/// notification id and the record (<c>sObject</c>) with the fields the outbound message was set up to send. Salesforce
/// redelivers a message until it is acknowledged, so the notification ids are what makes it effectively-once.
/// </summary>
public sealed record SalesforceOutboundMessage
{
    /// <summary>The namespace of the SOAP 1.1 envelope Salesforce sends.</summary>
    public static readonly XNamespace SoapNamespace = "http://schemas.xmlsoap.org/soap/envelope/";

    /// <summary>The namespace of <c>notifications</c> and its children.</summary>
    public static readonly XNamespace OutboundNamespace = "http://soap.sforce.com/2005/09/outbound";

    /// <summary>The most notifications one message may carry.</summary>
    public const int MaxNotifications = 100;

    /// <summary>
    /// The deepest element nesting read (a real message nests six deep). Deeper is refused before the document is built,
    /// so 140,000 nested elements, which fit in the body cap, never reach code that walks the tree on a small stack.
    /// </summary>
    public const int MaxDepth = 32;

    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>The org that sent the message (18 characters as Salesforce sends it).</summary>
    public required string OrganizationId { get; init; }

    /// <summary>The outbound message (workflow action) that sent it.</summary>
    public string? ActionId { get; init; }

    /// <summary>The notifications, in document order.</summary>
    public required IReadOnlyList<SalesforceNotification> Notifications { get; init; }

    /// <summary>
    /// Reads an envelope. Returns null with the problems in <paramref name="errors"/> when the body is not a well-formed
    /// Outbound Message (DTDs are refused outright). A notification whose fields are wrong does not make the envelope
    /// invalid: it comes back with its own errors.
    /// </summary>
    public static SalesforceOutboundMessage? TryParse(ReadOnlyMemory<byte> body, FeedbackFieldMap fields, CrmValueMap values, out FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(values);
        errors = new FieldErrors();
        XDocument document;
        try
        {
            var bytes = body.ToArray();
            if (DeeperThanAllowed(bytes))
            {
                errors.Add("$", $"The XML nests elements deeper than {MaxDepth} levels; an Outbound Message nests six.");
                return null;
            }

            using var stream = new MemoryStream(bytes, writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings());
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            errors.Add("$", $"The body is not well-formed XML: {SensitiveText.Echo(ex.Message)}");
            return null;
        }

        var envelope = document.Root;
        if (envelope is null || envelope.Name != SoapNamespace + "Envelope")
        {
            errors.Add("Envelope", $"The body must be a SOAP 1.1 Envelope ({SoapNamespace}), not <{SensitiveText.Echo(envelope?.Name.LocalName)}>.");
            return null;
        }

        var notifications = envelope.Element(SoapNamespace + "Body")?.Element(OutboundNamespace + "notifications");
        if (notifications is null)
        {
            errors.Add("Body.notifications", $"The SOAP Body must hold a notifications element in {OutboundNamespace}.");
            return null;
        }

        var organizationId = Text(notifications.Element(OutboundNamespace + "OrganizationId"));
        if (organizationId is null)
        {
            errors.Add("notifications.OrganizationId", "Required.");
        }
        else if (Identifiers.Problem(organizationId) is { } organizationProblem)
        {
            errors.Add("notifications.OrganizationId", organizationProblem);
        }

        var elements = notifications.Elements(OutboundNamespace + "Notification").ToList();
        if (elements.Count == 0)
        {
            errors.Add("notifications.Notification", "The message holds no Notification.");
        }
        else if (elements.Count > MaxNotifications)
        {
            errors.Add("notifications.Notification", $"A message holds at most {MaxNotifications} notifications; this one holds {elements.Count}.");
        }

        var parsed = new List<SalesforceNotification>(elements.Count);
        for (var i = 0; i < elements.Count && errors.IsEmpty; i++)
        {
            var id = Text(elements[i].Element(OutboundNamespace + "Id"));
            if (id is null || Identifiers.Problem(id) is not null)
            {
                errors.Add($"Notification[{i}].Id", id is null ? "Required: the notification id is what a redelivery is recognised by." : Identifiers.Problem(id)!);
                continue;
            }

            parsed.Add(ReadNotification(i, id, elements[i].Element(OutboundNamespace + "sObject"), fields, values));
        }

        if (!errors.IsEmpty)
        {
            return null;
        }

        return new SalesforceOutboundMessage
        {
            OrganizationId = organizationId!,
            ActionId = Text(notifications.Element(OutboundNamespace + "ActionId")),
            Notifications = parsed,
        };
    }

    private static SalesforceNotification ReadNotification(int index, string id, XElement? sObject, FeedbackFieldMap fields, CrmValueMap values)
    {
        var errors = new FieldErrors();
        var prefix = $"Notification[{index}].sObject.";
        if (sObject is null)
        {
            errors.Add($"Notification[{index}].sObject", "Required.");
            return new SalesforceNotification { Id = id, Item = FeedbackItem.Invalid(errors, id) };
        }

        var type = (string?)sObject.Attribute(Xsi + "type");
        var sObjectType = type?[(type.IndexOf(':', StringComparison.Ordinal) + 1)..];
        string? Field(string? name) => string.IsNullOrWhiteSpace(name)
            ? null
            : Text(sObject.Elements().FirstOrDefault(e => e.Name.LocalName == name));

        var item = VendorFields.Read(
            prefix,
            Field(fields.LeadId),
            Field(fields.Status),
            Field(fields.ReasonCode),
            Field(fields.Note),
            Field(fields.Rep),
            Field(fields.BudgetConfirmed),
            Field(fields.TimelineConfirmed),
            fields,
            values,
            errors,
            id,
            missingHint: "add the field to the outbound message's fields");
        return new SalesforceNotification { Id = id, SObjectType = sObjectType, Item = item };
    }

    private static string? Text(XElement? element)
    {
        if (element is null || (bool?)element.Attribute(Xsi + "nil") == true)
        {
            return null;
        }

        var text = element.Value.Trim();
        return text.Length == 0 ? null : text;
    }

    private static XmlReaderSettings ReaderSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = 4 * 1024 * 1024,
    };

    // A forward-only pass with the reader's own depth count: no tree, no recursion.
    private static bool DeeperThanAllowed(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var reader = XmlReader.Create(stream, ReaderSettings());
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth > MaxDepth)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>One notification of an Outbound Message: its id, the record type and the feedback it carries.</summary>
public sealed record SalesforceNotification
{
    /// <summary>The notification id (unique per org; the same in every redelivery).</summary>
    public required string Id { get; init; }

    /// <summary>The record type, e.g. <c>Lead</c>.</summary>
    public string? SObjectType { get; init; }

    /// <summary>The feedback the notification carries, or why it could not be read.</summary>
    public required FeedbackItem Item { get; init; }
}
