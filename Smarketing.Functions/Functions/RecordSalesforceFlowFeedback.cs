using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Feedback;
using Smarketing.Core.Feedback.SalesforceFlow;
using Smarketing.Core.Intake;
using Smarketing.Functions.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/crm/feedback/salesforce-flow</c>: a Salesforce Flow HTTP callout. The body is the generic feedback JSON
/// whose <c>status</c> and <c>reasonCode</c> may be the org's picklist values (translated by
/// <c>Feedback:Salesforce:Fields:StatusMap</c> / <c>ReasonMap</c>) and whose <c>eventId</c> (the flow interview's GUID)
/// makes a retried callout a no-op. The Named Credential sends a secret in <c>X-Smarketing-Secret</c>.
/// </summary>
public sealed class RecordSalesforceFlowFeedback(FeedbackIntake intake, SalesforceFlowReader flow, ILogger<RecordSalesforceFlowFeedback> logger)
{
    [Function(nameof(RecordSalesforceFlowFeedback))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "crm/feedback/salesforce-flow")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (flow.Secrets.Count == 0)
        {
            logger.DeliveryUnauthenticated(SalesforceFlowReader.Source, "no secret configured");
            return Problems.Unauthenticated("Salesforce Flow feedback is not set up: configure Feedback:Salesforce:FlowSecrets and send one of them in the X-Smarketing-Secret header.");
        }

        if (!SharedSecret.Matches(WebhookRequests.Header(request, WebhookRequests.SecretHeader), flow.Secrets))
        {
            logger.DeliveryUnauthenticated(SalesforceFlowReader.Source, "missing or wrong X-Smarketing-Secret");
            return Problems.Unauthenticated("The X-Smarketing-Secret header is missing or matches no secret of Feedback:Salesforce:FlowSecrets.");
        }

        var (body, problem) = await RequestBodies.ReadJsonAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var feedback = flow.TryParse(body, out var eventId, out var errors);
        if (feedback is null)
        {
            return Problems.Validation(errors);
        }

        return await FeedbackEndpoint.RecordAsync(intake, SalesforceFlowReader.Source, FeedbackItem.Of(feedback, eventId), cancellationToken);
    }
}
