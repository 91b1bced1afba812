using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions.Feedback;

/// <summary>Records one item through the intake and answers as the JSON feedback endpoints do.</summary>
internal static class FeedbackEndpoint
{
    public static Task<IActionResult> RecordAsync(FeedbackIntake intake, string source, FeedbackItem item, CancellationToken cancellationToken) =>
        StorageFailure.AnswerAsync(
            async () => FeedbackResponses.ForItem((await intake.RecordAsync(source, [item], cancellationToken))[0]),
            "The feedback was not recorded",
            "send it again");
}
