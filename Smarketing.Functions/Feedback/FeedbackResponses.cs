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
            FeedbackItemStatus.Unwritable => Problems.Create(StatusCodes.Status500InternalServerError, "Storage refuses the change.", $"The feedback was not recorded: {result.Message}"),
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
}
