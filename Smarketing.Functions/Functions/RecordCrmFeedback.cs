using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Core.Feedback.Generic;
using Smarketing.Core.Intake.Generic;
using Smarketing.Functions.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/crm/feedback</c>: a status change sales made in the CRM, in the generic JSON body, signed with Standard
/// Webhooks (<c>Feedback:Generic:Secrets</c>; unsigned or badly signed is 401 and changes nothing). Moves the ledger and,
/// for a disqualification, writes the <c>DisqualificationFeedback</c> row marketing reads. An <c>eventId</c>, when sent,
/// makes a redelivery a no-op even after later moves.
/// </summary>
public sealed class RecordCrmFeedback(FeedbackIntake intake, IOptions<GenericFeedbackOptions> options, IOptions<HttpEdgeOptions> edge, TimeProvider timeProvider, ILogger<RecordCrmFeedback> logger)
{
    private readonly IReadOnlyList<byte[]> _keys = options.Value.Keys();

    [Function(nameof(RecordCrmFeedback))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "crm/feedback")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBodies.ReadJsonAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var refusal = Authenticate(request, body, out var webhookId);
        if (refusal is not null)
        {
            logger.DeliveryUnauthenticated(GenericFeedbackReader.Source, refusal);
            return Problems.Unauthenticated(refusal);
        }

        var feedback = GenericFeedbackReader.TryParse(body, out var eventId, out var errors);
        if (feedback is null)
        {
            return Problems.Validation(errors);
        }

        // Without an eventId of its own, the signed delivery's webhook-id makes a redelivery a no-op.
        return await FeedbackEndpoint.RecordAsync(intake, GenericFeedbackReader.Source, FeedbackItem.Of(feedback, eventId ?? webhookId), cancellationToken);
    }

    private string? Authenticate(HttpRequest request, ReadOnlyMemory<byte> body, out string? webhookId)
    {
        webhookId = null;
        if (_keys.Count == 0)
        {
            return options.Value.AllowUnsigned
                ? null
                : "Generic CRM feedback is not set up: configure Feedback:Generic:Secrets (Standard Webhooks secrets) and sign each delivery.";
        }

        var check = StandardWebhooks.Verify(WebhookRequests.From(request, body, publicBaseUrl: null, edge.Value.TrustedProxyHops), _keys, timeProvider.GetUtcNow());
        if (!check.Authenticated)
        {
            return check.Failure;
        }

        webhookId = check.DeliveryId;
        return null;
    }
}
