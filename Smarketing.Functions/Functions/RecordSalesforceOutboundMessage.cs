using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Feedback;
using Smarketing.Core.Feedback.SalesforceOutbound;
using Smarketing.Core.Intake;
using Smarketing.Functions.Feedback;
using Smarketing.Functions.Http;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/crm/feedback/salesforce-outbound?token=…</c>: a Salesforce Outbound Message. Salesforce cannot sign or add
/// headers, so the endpoint URL carries a secret (<c>token</c>, one of <c>Feedback:Salesforce:OutboundMessageSecrets</c>)
/// and the envelope's OrganizationId must be one of <c>Feedback:Salesforce:OrganizationIds</c>. Every notification is
/// recorded (redelivered ones recognised by their notification id) and the message acknowledged; if any notification is
/// refused, the answer is a SOAP fault naming each refused notification, the others stay recorded, and Salesforce's
/// redelivery skips them by id while the refused ones stay visible in its outbound message queue. A notification whose
/// lead storage refuses for good is logged and acknowledged with the others: no redelivery could record it, and a fault
/// would make Salesforce resend the whole message until it gives up. A transient storage failure still fails the
/// message (503), so Salesforce redelivers it.
/// </summary>
public sealed class RecordSalesforceOutboundMessage(FeedbackIntake intake, SalesforceOutboundReader outbound, ILogger<RecordSalesforceOutboundMessage> logger)
{
    public const string TokenParameter = "token";

    /// <summary>The cap of an Outbound Message: 100 notifications with their fields outgrow the JSON cap.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    [Function(nameof(RecordSalesforceOutboundMessage))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "crm/feedback/salesforce-outbound")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (outbound.OrganizationIds.Count == 0 || outbound.Secrets.Count == 0)
        {
            logger.DeliveryUnauthenticated(SalesforceOutboundReader.Source, "not configured");
            return SoapResult.Fault(StatusCodes.Status401Unauthorized, "Salesforce Outbound Messages are not set up: configure Feedback:Salesforce:OrganizationIds and Feedback:Salesforce:OutboundMessageSecrets.");
        }

        var token = request.Query[TokenParameter].ToString();
        if (!SharedSecret.Matches(token, outbound.Secrets))
        {
            logger.DeliveryUnauthenticated(SalesforceOutboundReader.Source, "missing or wrong token");
            return SoapResult.Fault(StatusCodes.Status401Unauthorized, "The endpoint URL's token parameter is missing or matches no secret of Feedback:Salesforce:OutboundMessageSecrets.");
        }

        var (body, problem) = await RequestBodies.ReadXmlAsync(request, MaxBodyBytes, (status, detail) => SoapResult.Fault(status, detail), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var message = outbound.TryParse(body, out var errors);
        if (message is null)
        {
            return SoapResult.Fault(StatusCodes.Status400BadRequest, $"The body is not a Salesforce Outbound Message: {errors}.");
        }

        var organization = SalesforceOutboundReader.ShortOrgId(message.OrganizationId);
        if (!SharedSecret.Matches(organization, outbound.OrganizationIds))
        {
            logger.DeliveryUnauthenticated(SalesforceOutboundReader.Source, $"org {SensitiveText.Echo(organization)} is not accepted");
            return SoapResult.Fault(StatusCodes.Status401Unauthorized, $"Organization {SensitiveText.Echo(message.OrganizationId)} is not one of Feedback:Salesforce:OrganizationIds.");
        }

        return await StorageFailure.AnswerAsync(
            async () => Answer(message, organization, await intake.RecordAsync(
                SalesforceOutboundReader.Source + ":" + organization,
                [.. message.Notifications.Select(n => n.Item)],
                cancellationToken)),
            why =>
            {
                logger.FeedbackStorageFailed(SalesforceOutboundReader.Source, why);
                return SoapResult.Fault(StatusCodes.Status503ServiceUnavailable, $"The notifications were not all recorded because {why}; Salesforce will redeliver them.");
            });
    }

    private SoapResult Answer(SalesforceOutboundMessage message, string organization, IReadOnlyList<FeedbackItemResult> results)
    {
        var refused = results.Where(r => !r.Accepted && r.Status != FeedbackItemStatus.Unwritable).ToList();
        if (refused.Count == 0)
        {
            logger.NotificationsAcknowledged(message.ActionId, organization, results.Count, results.Count(r => r.Status == FeedbackItemStatus.DuplicateDelivery));
            return SoapResult.Ack();
        }

        logger.NotificationsRefused(message.ActionId, organization, refused.Count, results.Count);
        var details = refused.Select(r => (SensitiveText.Echo(r.DeliveryId!), Describe(r))).ToList();
        var summary = (refused.Count == results.Count
                          ? $"{refused.Count} of {results.Count} notification(s) refused; nothing was recorded. "
                          : $"{refused.Count} of {results.Count} notification(s) refused; the others are recorded and will be skipped when redelivered. ") +
                      string.Join(" ", details.Select(d => $"[{d.Item1}] {d.Item2}"));
        return SoapResult.Fault(StatusFor(refused), summary, details);
    }

    private static string Describe(FeedbackItemResult result) => result.Status switch
    {
        FeedbackItemStatus.Invalid => $"Fields: {result.Errors}.",
        FeedbackItemStatus.UnknownLead => $"Unknown lead: {result.Message}",
        FeedbackItemStatus.InvalidReason => $"Reason: {result.Message}",
        _ => $"Refused by the lifecycle contract: {result.Message}",
    };

    // One status for the message: bad content first (the sender must fix it), then an unknown lead, then the contract.
    private static int StatusFor(List<FeedbackItemResult> refused) =>
        refused.Any(r => r.Status is FeedbackItemStatus.Invalid or FeedbackItemStatus.InvalidReason) ? StatusCodes.Status400BadRequest
        : refused.Any(r => r.Status == FeedbackItemStatus.UnknownLead) ? StatusCodes.Status404NotFound
        : StatusCodes.Status409Conflict;
}
