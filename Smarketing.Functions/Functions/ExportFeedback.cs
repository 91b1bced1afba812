using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Functions.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions;

/// <summary>
/// <c>GET /api/feedback/export?from=&amp;to=&amp;campaign=&amp;raw=</c>: the <c>DisqualificationFeedback</c> rows of the window as
/// CSV, by campaign then time, streamed as they are read; every text column neutralised for spreadsheets unless
/// <c>raw=true</c>.
/// </summary>
public sealed class ExportFeedback(AdminAccess access, FeedbackAnalytics analytics, IOptions<FeedbackSummaryOptions> options, TimeProvider timeProvider)
{
    [Function(nameof(ExportFeedback))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "feedback/export")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        var raw = false;
        var query = FeedbackQueries.Parse(request, options.Value, timeProvider, out var problem, errors => raw = FeedbackQueries.Flag(request, "raw", absent: false, errors));
        if (query is null)
        {
            return problem!;
        }

        // The first page is read before answering, so storage being down is a 503 and not a truncated 200.
        var name = string.Create(
            CultureInfo.InvariantCulture,
            $"disqualification-feedback_{query.From.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}_{query.To.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.csv");
        return await StorageFailure.AnswerAsync(
            async () => new CsvResult(await FirstPageReadAsync(analytics.ExportAsync(query, cancellationToken), cancellationToken), name, raw),
            "The export could not be read",
            "ask again");
    }

    private static async Task<IAsyncEnumerable<DisqualificationFeedback>> FirstPageReadAsync(IAsyncEnumerable<DisqualificationFeedback> export, CancellationToken cancellationToken)
    {
        var rows = export.GetAsyncEnumerator(cancellationToken);
        bool any;
        try
        {
            any = await rows.MoveNextAsync();
        }
        catch
        {
            await rows.DisposeAsync();
            throw;
        }

        return Rest(rows, any, cancellationToken);
    }

    private static async IAsyncEnumerable<DisqualificationFeedback> Rest(
        IAsyncEnumerator<DisqualificationFeedback> rows,
        bool any,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using (rows)
        {
            if (!any)
            {
                yield break;
            }

            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return rows.Current;
            }
            while (await rows.MoveNextAsync());
        }
    }
}
