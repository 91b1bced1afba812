using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Feedback;

/// <summary>
/// A SOAP 1.1 answer to Salesforce: the acknowledgement (<c>notificationsResponse</c> with <c>Ack</c> true), without which
/// Salesforce redelivers for 24 hours, or a fault whose <c>faultstring</c> Salesforce shows in its outbound message
/// queue as the delivery failure reason.
/// </summary>
public sealed class SoapResult(int statusCode, string body) : IActionResult
{
    public const string ContentType = "text/xml; charset=utf-8";

    private static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";
    private static readonly XNamespace Outbound = "http://soap.sforce.com/2005/09/outbound";

    public int StatusCode { get; } = statusCode;

    public string Body { get; } = body;

    /// <summary>The acknowledgement body, as the outbound messaging WSDL defines <c>notificationsResponse</c>.</summary>
    public const string AckBody =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">" +
        "<soapenv:Body><notificationsResponse xmlns=\"http://soap.sforce.com/2005/09/outbound\"><Ack>true</Ack></notificationsResponse></soapenv:Body>" +
        "</soapenv:Envelope>";

    /// <summary>The acknowledgement: every notification of the message is recorded (or was before).</summary>
    public static SoapResult Ack() => new(StatusCodes.Status200OK, AckBody);

    /// <summary>A client fault: Salesforce keeps the message and redelivers it.</summary>
    public static SoapResult Fault(int statusCode, string message, IEnumerable<(string Notification, string Problem)>? details = null) => new(
        statusCode,
        Document(new XElement(
            Soap + "Fault",
            new XElement("faultcode", "soapenv:Client"),
            new XElement("faultstring", message),
            new XElement(
                "detail",
                (details ?? []).Select(d => new XElement(
                    Outbound + "notificationProblem",
                    new XAttribute("notificationId", SensitiveText.Echo(d.Notification)),
                    d.Problem))))));

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(Body), context.HttpContext.RequestAborted);
    }

    private static string Document(XElement content)
    {
        var envelope = new XElement(
            Soap + "Envelope",
            new XAttribute(XNamespace.Xmlns + "soapenv", Soap.NamespaceName),
            new XElement(Soap + "Body", content));
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + envelope.ToString(SaveOptions.DisableFormatting);
    }
}
