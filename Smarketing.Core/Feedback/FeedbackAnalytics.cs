using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback;

/// <summary>The marketing read side: per-campaign funnel and disqualification summary, and the raw rows for export.</summary>
public sealed class FeedbackAnalytics(
    IFunnelCounterStore counters,
    IDisqualificationFeedbackStore disqualifications,
    LifecyclePolicy policy,
    ILogger<FeedbackAnalytics> logger)
{
    /// <summary>Summarises the window of <paramref name="query"/>.</summary>
    public async Task<FeedbackSummary> SummarizeAsync(FeedbackSummaryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var builder = new FeedbackSummaryBuilder(query, policy);
        await foreach (var counts in counters.ReadAsync(query, cancellationToken))
        {
            builder.AddCounts(counts);
        }

        var summary = builder.Build();
        logger.SummaryComputed(query.From, query.To, query.Campaign, summary.Campaigns.Count, builder.CounterRows);
        return summary;
    }

    /// <summary>The disqualification rows of the window, for export.</summary>
    public async IAsyncEnumerable<DisqualificationFeedback> ExportAsync(
        FeedbackSummaryQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await foreach (var row in disqualifications.QueryAsync(query.From, query.To, query.Campaign, cancellationToken))
        {
            yield return row;
        }
    }
}
