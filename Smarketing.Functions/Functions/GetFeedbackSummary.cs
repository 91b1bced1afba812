using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Functions.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions;

/// <summary>
/// <c>GET /api/feedback/summary?from=&amp;to=&amp;campaign=&amp;top=</c>: per campaign, the MQLs, SALs, SQLs, wins, losses and
/// disqualifications of the window, the disqualification rate and the top reasons with their counts.
/// </summary>
public sealed class GetFeedbackSummary(AdminAccess access, FeedbackAnalytics analytics, IOptions<FeedbackSummaryOptions> options, TimeProvider timeProvider)
{
    [Function(nameof(GetFeedbackSummary))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "feedback/summary")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        var query = FeedbackQueries.Parse(request, options.Value, timeProvider, out var problem);
        if (query is null)
        {
            return problem!;
        }

        return await StorageFailure.AnswerAsync(
            async () => new JsonBodyResult(StatusCodes.Status200OK, await analytics.SummarizeAsync(query, cancellationToken)),
            "The summary could not be read",
            "ask again");
    }
}
