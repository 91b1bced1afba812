using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions.Feedback;

/// <summary>Reads the window of the summary and export requests from the query string.</summary>
internal static class FeedbackQueries
{
    public static FeedbackSummaryQuery? Parse(HttpRequest request, FeedbackSummaryOptions options, TimeProvider timeProvider, out IActionResult? problem)
    {
        var query = FeedbackSummaryQuery.TryParse(
            name => request.Query.TryGetValue(name, out var values) && !string.IsNullOrWhiteSpace(values.ToString()) ? values.ToString() : null,
            timeProvider.GetUtcNow(),
            options.DefaultDays,
            out var errors);
        problem = query is null ? Problems.Validation(errors) : null;
        return query;
    }
}
