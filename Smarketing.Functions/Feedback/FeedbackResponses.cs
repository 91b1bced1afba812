using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Feedback;
using Smarketing.Core.Leads;
using Smarketing.Functions.Http;

namespace Smarketing.Functions.Feedback;

/// <summary>The answers of the JSON feedback endpoints (generic, Salesforce Flow, HubSpot) for one item.</summary>
public static class FeedbackResponses
{
    /// <summary>200 for an accepted item; RFC 7807 problems otherwise (400 fields or reason, 404 lead, 409 contract).</summary>
    public static IActionResult ForItem(FeedbackItemResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcome = result.Outcome;
        return result.Status switch
        {
            FeedbackItemStatus.Applied or FeedbackItemStatus.AlreadyApplied or FeedbackItemStatus.DuplicateDelivery => new JsonBodyResult(StatusCodes.Status200OK, new
            {
                result.LeadId,
                Status = result.LeadStatus?.ToWire(),
                Recorded = result.Status == FeedbackItemStatus.Applied,
                Duplicate = result.Status != FeedbackItemStatus.Applied,
                result.DeliveryId,
            }),
            FeedbackItemStatus.Invalid => Problems.Validation(result.Errors!),
            FeedbackItemStatus.UnknownLead => Problems.Create(StatusCodes.Status404NotFound, "Unknown lead.", result.Message!),
            FeedbackItemStatus.InvalidReason => Problems.Create(
                StatusCodes.Status400BadRequest,
                "The request has invalid fields.",
                result.Message!,
                new Dictionary<string, string[]> { ["reasonCode"] = [result.Message!] },
                new Dictionary<string, object?> { ["allowedReasonCodes"] = outcome!.AllowedReasonCodes }),
            _ => Problems.Create(
                StatusCodes.Status409Conflict,
                "The lifecycle contract refuses this move.",
                result.Message!,
                extensions: new Dictionary<string, object?>
                {
                    ["from"] = outcome?.Refusal?.From.ToWire(),
                    ["to"] = outcome?.Refusal?.To.ToWire(),
                    ["missingCriterion"] = outcome?.Refusal?.MissingCriterion,
                }),
        };
    }

    /// <summary>401 for a delivery whose credentials are missing or wrong; nothing was read or written.</summary>
    public static IActionResult Unauthorized(string detail) =>
        Problems.Create(StatusCodes.Status401Unauthorized, "The delivery is not authenticated.", detail);
}

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
                    new XAttribute("notificationId", d.Notification),
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
