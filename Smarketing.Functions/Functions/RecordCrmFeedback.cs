using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Contracts;
using Smarketing.Core.Lifecycle;
using Smarketing.Core.Pipeline;
using Smarketing.Functions.Http;

namespace Smarketing.Functions.Functions;

/// <summary>
/// <c>POST /api/crm/feedback</c>: a status change sales made in the CRM. Moves the ledger and, for a
/// disqualification, writes the <c>DisqualificationFeedback</c> row marketing reads.
/// </summary>
public sealed class RecordCrmFeedback(FeedbackRecorder recorder)
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

        var feedback = CrmFeedback.TryParse(body, out var errors);
        if (feedback is null)
        {
            return Problems.Validation(errors);
        }

        FeedbackOutcome outcome;
        try
        {
            outcome = await recorder.RecordAsync(feedback, cancellationToken);
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            return Problems.StorageUnavailable($"The feedback was not recorded because {StorageFailure.Describe(ex)}; send it again.");
        }

        return outcome.Status switch
        {
            FeedbackStatus.Applied or FeedbackStatus.AlreadyApplied => new JsonBodyResult(StatusCodes.Status200OK, new
            {
                feedback.LeadId,
                Status = outcome.LeadStatus!.Value.ToWire(),
                Recorded = outcome.Status == FeedbackStatus.Applied,
                Duplicate = outcome.Status == FeedbackStatus.AlreadyApplied,
            }),
            FeedbackStatus.UnknownLead => Problems.Create(StatusCodes.Status404NotFound, "Unknown lead.", outcome.Message!),
            FeedbackStatus.InvalidReason => Problems.Create(
                StatusCodes.Status400BadRequest,
                "The request has invalid fields.",
                outcome.Message!,
                new Dictionary<string, string[]> { ["reasonCode"] = [outcome.Message!] },
                new Dictionary<string, object?> { ["allowedReasonCodes"] = outcome.AllowedReasonCodes }),
            _ => Problems.Create(
                StatusCodes.Status409Conflict,
                "The lifecycle contract refuses this move.",
                outcome.Message!,
                extensions: new Dictionary<string, object?>
                {
                    ["from"] = outcome.Refusal?.From.ToWire(),
                    ["to"] = outcome.Refusal?.To.ToWire(),
                    ["missingCriterion"] = outcome.Refusal?.MissingCriterion,
                }),
        };
    }
}
