using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Feedback;
using Smarketing.Core.Feedback.Generic;
using Smarketing.Functions.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/crm/feedback</c>: a status change sales made in the CRM, in the generic JSON body. Moves the ledger and,
/// for a disqualification, writes the <c>DisqualificationFeedback</c> row marketing reads. An <c>eventId</c>, when sent,
/// makes a redelivery a no-op even after later moves.
/// </summary>
public sealed class RecordCrmFeedback(FeedbackIntake intake)
{
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

        var feedback = GenericFeedbackReader.TryParse(body, out var eventId, out var errors);
        if (feedback is null)
        {
            return Problems.Validation(errors);
        }

        return await FeedbackEndpoint.RecordAsync(intake, GenericFeedbackReader.Source, FeedbackItem.Of(feedback, eventId), cancellationToken);
    }
}
