using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Feedback;
using Smarketing.Core.Intake;
using Smarketing.Functions.Feedback;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/crm/feedback/hubspot</c>: a HubSpot workflow "Send a webhook" action on the contact. Authenticated by the
/// app's v3 request signature (<c>X-HubSpot-Signature-v3</c>, checked against <c>Feedback:HubSpot:ClientSecrets</c>) or,
/// for a workflow set up with an API key, by <c>X-Smarketing-Secret</c> (<c>Feedback:HubSpot:Secrets</c>). HubSpot does not
/// retry a 4xx, so a refused change stays visible in the workflow's history; it retries a 5xx for up to three days.
/// </summary>
public sealed class RecordHubSpotFeedback(FeedbackIntake intake, FeedbackSettings settings, TimeProvider timeProvider, ILogger<RecordHubSpotFeedback> logger)
{
    /// <summary>A contact with every property and its history outgrows the generic cap.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    [Function(nameof(RecordHubSpotFeedback))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "crm/feedback/hubspot")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (settings.HubSpotClientSecrets.Count == 0 && settings.HubSpotSecrets.Count == 0)
        {
            logger.DeliveryUnauthenticated(FeedbackSources.HubSpot, "no client secret or API key configured");
            return FeedbackResponses.Unauthorized("HubSpot feedback is not set up: configure Feedback:HubSpot:ClientSecrets (request signatures) or Feedback:HubSpot:Secrets (API key in X-Smarketing-Secret).");
        }

        var (body, problem) = await FeedbackRequests.ReadAsync(request, FeedbackRequests.JsonTypes, MaxBodyBytes, FeedbackRequests.JsonProblem, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var refusal = Authenticate(request, body.Span);
        if (refusal is not null)
        {
            logger.DeliveryUnauthenticated(FeedbackSources.HubSpot, refusal);
            return FeedbackResponses.Unauthorized(refusal);
        }

        var item = HubSpotWorkflowPayload.Read(body, settings.Options.HubSpot.Fields, settings.HubSpotValues);
        return await FeedbackEndpoint.RecordAsync(intake, FeedbackSources.HubSpot, item, cancellationToken);
    }

    private string? Authenticate(HttpRequest request, ReadOnlySpan<byte> body)
    {
        var signature = FeedbackRequests.Header(request, HubSpotSignature.SignatureHeader);
        if (signature is not null && settings.HubSpotClientSecrets.Count > 0)
        {
            var check = HubSpotSignature.Verify(
                settings.HubSpotClientSecrets,
                request.Method,
                FeedbackRequests.PublicUri(request, settings.Options.HubSpot.PublicBaseUrl),
                body,
                signature,
                FeedbackRequests.Header(request, HubSpotSignature.TimestampHeader),
                timeProvider.GetUtcNow());
            return check switch
            {
                HubSpotSignatureCheck.Valid => null,
                HubSpotSignatureCheck.Missing => $"The {HubSpotSignature.TimestampHeader} header is missing.",
                HubSpotSignatureCheck.MalformedTimestamp => $"The {HubSpotSignature.TimestampHeader} header is not a time in milliseconds.",
                HubSpotSignatureCheck.Stale => $"The {HubSpotSignature.TimestampHeader} is more than {HubSpotSignature.Tolerance.TotalMinutes} minutes from now: a replay, or a clock far off.",
                _ => $"The {HubSpotSignature.SignatureHeader} signature matches no secret of Feedback:HubSpot:ClientSecrets (check Feedback:HubSpot:PublicBaseUrl is the URL HubSpot calls).",
            };
        }

        var secret = FeedbackRequests.Header(request, FeedbackRequests.SecretHeader);
        if (secret is not null && settings.HubSpotSecrets.Count > 0)
        {
            return SharedSecret.Matches(secret, settings.HubSpotSecrets)
                ? null
                : "The X-Smarketing-Secret header matches no secret of Feedback:HubSpot:Secrets.";
        }

        return settings.HubSpotClientSecrets.Count > 0
            ? $"The request carries no {HubSpotSignature.SignatureHeader} header; set the webhook action to include the request signature."
            : "The request carries no X-Smarketing-Secret header; set the webhook action's API key (name X-Smarketing-Secret, in the request header).";
    }
}
