using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Contracts;
using Smarketing.Core.Feedback;
using Smarketing.Functions.Http;

namespace Smarketing.Functions.Feedback;

/// <summary>Reads the window of the summary and export requests from the query string.</summary>
internal static class FeedbackQueries
{
    /// <summary>The window; null with a 400 naming every bad parameter, those <paramref name="more"/> finds included.</summary>
    public static FeedbackSummaryQuery? Parse(
        HttpRequest request,
        FeedbackSummaryOptions options,
        TimeProvider timeProvider,
        out IActionResult? problem,
        Action<FieldErrors>? more = null)
    {
        var query = FeedbackSummaryQuery.TryParse(
            name => request.Query.TryGetValue(name, out var values) && !string.IsNullOrWhiteSpace(values.ToString()) ? values.ToString() : null,
            timeProvider.GetUtcNow(),
            options.DefaultDays,
            out var errors);
        more?.Invoke(errors);
        problem = errors.IsEmpty ? null : Problems.Validation(errors);
        return problem is null ? query : null;
    }

    /// <summary>
    /// An optional <c>true</c>/<c>false</c> parameter; absent is <paramref name="absent"/>, anything else is an error.
    /// </summary>
    public static bool Flag(HttpRequest request, string name, bool absent, FieldErrors errors)
    {
        if (!request.Query.TryGetValue(name, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
        {
            return absent;
        }

        if (bool.TryParse(values.ToString(), out var flag) && values.Count == 1)
        {
            return flag;
        }

        errors.Add(name, $"'{name}' must be true or false.");
        return absent;
    }
}
