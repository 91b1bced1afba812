using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Core.Feedback.HubSpot;
using Smarketing.Core.Intake;
using Smarketing.Core.Intake.HubSpot;
using Smarketing.Functions.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/crm/feedback/hubspot</c>: a HubSpot workflow "Send a webhook" action on the contact. Authenticated by the
/// app's v3 request signature (<c>X-HubSpot-Signature-v3</c>, checked against <c>Feedback:HubSpot:ClientSecrets</c>) or,
/// for a workflow set up with an API key, by <c>X-Smarketing-Secret</c> (<c>Feedback:HubSpot:Secrets</c>). HubSpot does not
/// retry a 4xx, so a refused change stays visible in the workflow's history; it retries a 5xx for up to three days.
/// </summary>
public sealed class RecordHubSpotFeedback(FeedbackIntake intake, HubSpotWorkflowReader hubSpot, IOptions<HttpEdgeOptions> edge, TimeProvider timeProvider, ILogger<RecordHubSpotFeedback> logger)
{
    /// <summary>A contact with every property and its history outgrows the generic cap.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    [Function(nameof(RecordHubSpotFeedback))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "crm/feedback/hubspot")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (hubSpot.ClientSecrets.Count == 0 && hubSpot.Secrets.Count == 0)
        {
            logger.DeliveryUnauthenticated(HubSpotWorkflowReader.Source, "no client secret or API key configured");
            return Problems.Unauthenticated("HubSpot feedback is not set up: configure Feedback:HubSpot:ClientSecrets (request signatures) or Feedback:HubSpot:Secrets (API key in X-Smarketing-Secret).");
        }

        var (body, problem) = await RequestBodies.ReadJsonAsync(request, cancellationToken, MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        var refusal = Authenticate(request, body);
        if (refusal is not null)
        {
            logger.DeliveryUnauthenticated(HubSpotWorkflowReader.Source, refusal);
            return Problems.Unauthenticated(refusal);
        }

        return await FeedbackEndpoint.RecordAsync(intake, HubSpotWorkflowReader.Source, hubSpot.Read(body), cancellationToken);
    }

    private string? Authenticate(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        if (WebhookRequests.Header(request, HubSpotSignatures.V3Header) is not null && hubSpot.ClientSecrets.Count > 0)
        {
            var check = hubSpot.CheckSignature(WebhookRequests.From(request, body, hubSpot.PublicBaseUrl, edge.Value.TrustedProxyHops), timeProvider.GetUtcNow());
            return check switch
            {
                HubSpotSignatureCheck.Valid => null,
                HubSpotSignatureCheck.Missing => $"The {HubSpotSignatures.TimestampHeader} header is missing.",
                HubSpotSignatureCheck.MalformedTimestamp => $"The {HubSpotSignatures.TimestampHeader} header is not a time in milliseconds.",
                HubSpotSignatureCheck.Stale => $"The {HubSpotSignatures.TimestampHeader} is more than {HubSpotSignatures.MaxAge.TotalMinutes} minutes from now: a replay, or a clock far off.",
                _ => $"The {HubSpotSignatures.V3Header} signature matches no secret of Feedback:HubSpot:ClientSecrets (check Feedback:HubSpot:PublicBaseUrl is the URL HubSpot calls).",
            };
        }

        var secret = WebhookRequests.Header(request, WebhookRequests.SecretHeader);
        if (secret is not null && hubSpot.Secrets.Count > 0)
        {
            return SharedSecret.Matches(secret, hubSpot.Secrets)
                ? null
                : "The X-Smarketing-Secret header matches no secret of Feedback:HubSpot:Secrets.";
        }

        return hubSpot.ClientSecrets.Count > 0
            ? $"The request carries no {HubSpotSignatures.V3Header} header; set the webhook action to include the request signature."
            : "The request carries no X-Smarketing-Secret header; set the webhook action's API key (name X-Smarketing-Secret, in the request header).";
    }
}
