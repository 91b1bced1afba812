using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Smarketing.Core.Feedback;

namespace Smarketing.Functions.Storage;

/// <summary>
/// One row per disqualification. The partition is the campaign, so "this campaign's reasons since when" is a
/// single-partition query; the row key starts with the time of the disqualification (then lead and recycle cycle), so a
/// time window is a key range in every partition. The row is built from the ledger's history entry, whose time does not
/// change, so a redelivered webhook rewrites the same row.
/// </summary>
internal sealed class TableDisqualificationFeedbackStore(StorageLayout layout) : IDisqualificationFeedbackStore
{
    private static readonly string[] Columns =
    [
        "LeadId", "Campaign", "Source", "ReasonCode", "ReasonCategory", "ReasonLabel", "Note", "Score",
        "ModelVersion", "FromStatus", "Rep", "Cycle", "DisqualifiedAt",
    ];

    public static string RowKey(DisqualificationFeedback feedback) =>
        FeedbackKeys.Disqualification(feedback.DisqualifiedAt, feedback.LeadId, feedback.Cycle);

    public Task UpsertAsync(DisqualificationFeedback feedback, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(FeedbackKeys.Campaign(feedback.Campaign), RowKey(feedback))
        {
            ["LeadId"] = feedback.LeadId,
            ["Campaign"] = feedback.Campaign,
            ["Source"] = feedback.Source,
            ["ReasonCode"] = feedback.ReasonCode,
            ["ReasonCategory"] = feedback.ReasonCategory,
            ["ReasonLabel"] = feedback.ReasonLabel,
            ["Note"] = feedback.Note,
            ["Score"] = feedback.Score,
            ["ModelVersion"] = feedback.ModelVersion,
            ["FromStatus"] = feedback.FromStatus,
            ["Rep"] = feedback.Rep,
            ["Cycle"] = feedback.Cycle,
            ["DisqualifiedAt"] = feedback.DisqualifiedAt,
        };
        return layout.DisqualificationFeedback.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async IAsyncEnumerable<DisqualificationFeedback> QueryAsync(
        DateTimeOffset from,
        DateTimeOffset until,
        string? campaign,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Row keys start with the UTC time to 100 ns, so [from, until) is the key range [prefix(from), prefix(until)).
        var filter = campaign is null
            ? TableClient.CreateQueryFilter($"RowKey ge {FeedbackKeys.TimePrefix(from)} and RowKey lt {FeedbackKeys.TimePrefix(until)}")
            : TableClient.CreateQueryFilter(
                $"PartitionKey eq {FeedbackKeys.Campaign(campaign)} and RowKey ge {FeedbackKeys.TimePrefix(from)} and RowKey lt {FeedbackKeys.TimePrefix(until)}");
        await foreach (var entity in layout.DisqualificationFeedback.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken))
        {
            var row = FromEntity(entity);

            // A campaign cut to fit the key shares its partition only with campaigns that hash alike; keep exact matches.
            if (campaign is null || string.Equals(row.Campaign, campaign, StringComparison.Ordinal))
            {
                yield return row;
            }
        }
    }

    internal static DisqualificationFeedback FromEntity(TableEntity e) => new()
    {
        LeadId = e.GetString("LeadId") ?? string.Empty,
        Campaign = e.GetString("Campaign") ?? DisqualificationFeedback.UnknownCampaign,
        Source = e.GetString("Source"),
        ReasonCode = e.GetString("ReasonCode") ?? string.Empty,
        ReasonCategory = e.GetString("ReasonCategory") ?? "other",
        ReasonLabel = e.GetString("ReasonLabel"),
        Note = e.GetString("Note"),
        Score = e.GetInt32("Score") ?? 0,
        ModelVersion = e.GetString("ModelVersion"),
        FromStatus = e.GetString("FromStatus") ?? string.Empty,
        Rep = e.GetString("Rep"),
        Cycle = e.GetInt32("Cycle") ?? 0,
        DisqualifiedAt = e.GetDateTimeOffset("DisqualifiedAt") ?? default,
    };
}
