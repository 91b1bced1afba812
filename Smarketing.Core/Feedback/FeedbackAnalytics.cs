using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback;

/// <summary>Reads the ledger rows of leads that ever became an MQL (the only ones with funnel moves to count).</summary>
public interface ILeadFunnelReader
{
    /// <summary>
    /// The leads with an MQL snapshot. <paramref name="campaign"/> is a hint that lets the store skip other campaigns'
    /// rows; callers still check each row's campaign.
    /// </summary>
    IAsyncEnumerable<Lead> ReadQualifiedLeadsAsync(string? campaign, CancellationToken cancellationToken);
}

/// <summary>The marketing read side: per-campaign funnel and disqualification summary, and the raw rows for export.</summary>
public sealed class FeedbackAnalytics(
    ILeadFunnelReader funnel,
    IDisqualificationFeedbackStore disqualifications,
    LifecyclePolicy policy,
    ILogger<FeedbackAnalytics> logger)
{
    /// <summary>Summarises the window of <paramref name="query"/>.</summary>
    public async Task<FeedbackSummary> SummarizeAsync(FeedbackSummaryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var builder = new FeedbackSummaryBuilder(query, policy);
        await foreach (var lead in funnel.ReadQualifiedLeadsAsync(query.Campaign, cancellationToken))
        {
            builder.AddLead(lead);
        }

        await foreach (var row in disqualifications.QueryAsync(query.From, query.To, query.Campaign, cancellationToken))
        {
            builder.AddDisqualification(row);
        }

        var summary = builder.Build();
        logger.SummaryComputed(query.From, query.To, query.Campaign, summary.Campaigns.Count, builder.LedgerRows, builder.FeedbackRows);
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
