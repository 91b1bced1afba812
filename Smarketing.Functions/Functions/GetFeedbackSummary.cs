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
/// disqualifications of the window, the disqualification rate and the top reasons with their counts. Read from the
/// funnel counters of the window (never the ledger), at most <see cref="FeedbackSummaryOptions.MaxConcurrent"/> at once
/// per instance: beyond them, 429 with Retry-After.
/// </summary>
public sealed class GetFeedbackSummary(
    AdminAccess access,
    FeedbackAnalytics analytics,
    SummaryConcurrency concurrency,
    IOptions<FeedbackSummaryOptions> options,
    TimeProvider timeProvider)
{
    /// <summary>The seconds a refused caller is asked to wait.</summary>
    public const int RetryAfterSeconds = 2;

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

        if (!concurrency.TryEnter())
        {
            var busy = Problems.Create(
                StatusCodes.Status429TooManyRequests,
                "Too many summaries at once.",
                $"This instance already computes {options.Value.MaxConcurrent} summaries (setting Feedback:Summary:MaxConcurrent); ask again after {RetryAfterSeconds} seconds.");
            busy.Headers["Retry-After"] = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return busy;
        }

        try
        {
            return await StorageFailure.AnswerAsync(
                async () => new JsonBodyResult(StatusCodes.Status200OK, await analytics.SummarizeAsync(query, cancellationToken)),
                "The summary could not be read",
                "ask again");
        }
        finally
        {
            concurrency.Exit();
        }
    }
}
