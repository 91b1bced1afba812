using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions.Feedback;

/// <summary>Records one item through the intake and answers as the JSON feedback endpoints do.</summary>
internal static class FeedbackEndpoint
{
    public static async Task<IActionResult> RecordAsync(FeedbackIntake intake, string source, FeedbackItem item, CancellationToken cancellationToken)
    {
        IReadOnlyList<FeedbackItemResult> results;
        try
        {
            results = await intake.RecordAsync(source, [item], cancellationToken);
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            return Problems.StorageUnavailable($"The feedback was not recorded because {StorageFailure.Describe(ex)}; send it again.");
        }

        return FeedbackResponses.ForItem(results[0]);
    }
}
