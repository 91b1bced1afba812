using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Smarketing.Core.Feedback;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Storage;

/// <summary>
/// Applied delivery ids, one partition per source (a Salesforce org's notifications, HubSpot, Flow), one row per id.
/// Rows are small and Salesforce redelivers for at most 24 hours, so they are kept rather than expired.
/// </summary>
internal sealed class TableFeedbackDeliveryLog(StorageLayout layout) : IFeedbackDeliveryLog
{
    public async Task<FeedbackDeliveryRecord?> FindAsync(string source, string deliveryId, CancellationToken cancellationToken)
    {
        var response = await layout.FeedbackDeliveries.GetEntityIfExistsAsync<TableEntity>(
            FeedbackKeys.Part(source, FeedbackKeys.MaxIdLength),
            FeedbackKeys.Part(deliveryId, FeedbackKeys.MaxIdLength),
            cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }

        var e = response.Value!;
        return new FeedbackDeliveryRecord
        {
            Source = source,
            DeliveryId = deliveryId,
            LeadId = e.GetString("LeadId") ?? string.Empty,
            Status = LeadStatusNames.TryParse(e.GetString("Status"), out var status) ? status : LeadStatus.New,
            RecordedAt = e.GetDateTimeOffset("RecordedAt") ?? default,
        };
    }

    public Task RecordAsync(FeedbackDeliveryRecord record, CancellationToken cancellationToken) =>
        layout.FeedbackDeliveries.UpsertEntityAsync(
            new TableEntity(FeedbackKeys.Part(record.Source, FeedbackKeys.MaxIdLength), FeedbackKeys.Part(record.DeliveryId, FeedbackKeys.MaxIdLength))
            {
                ["Source"] = record.Source,
                ["DeliveryId"] = record.DeliveryId,
                ["LeadId"] = record.LeadId,
                ["Status"] = record.Status.ToWire(),
                ["RecordedAt"] = record.RecordedAt,
            },
            TableUpdateMode.Replace,
            cancellationToken);
}

/// <summary>
/// Reads the ledger's MQL'd rows for the summary. The ledger is one partition per lead, so this is a scan; it asks only
/// for rows with an MQL time and only for the columns the funnel needs, 1,000 rows per page.
/// </summary>
internal sealed class TableLeadFunnelReader(StorageLayout layout) : ILeadFunnelReader
{
    // Table Storage's smallest date: every row that has an MqlAt at all passes, rows without one are skipped server-side.
    private static readonly DateTimeOffset Epoch = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Columns =
    [
        "LeadId", "Status", "StatusSince", "RecycleCount", "History", "Campaign", "Source", "Score", "ModelVersion",
        "MqlAt", "MqlCampaign", "MqlSource", "MqlScore", "MqlModelVersion", "OwnerId", "HandedOffAt", "SpeedToLeadMs",
        "CreatedAt", "UpdatedAt",
    ];

    public async IAsyncEnumerable<Lead> ReadQualifiedLeadsAsync(string? campaign, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = campaign is null || campaign == DisqualificationFeedback.UnknownCampaign
            ? TableClient.CreateQueryFilter($"MqlAt ge {Epoch}")
            : TableClient.CreateQueryFilter($"MqlAt ge {Epoch} and (MqlCampaign eq {campaign} or Campaign eq {campaign})");
        await foreach (var entity in layout.LeadLedger.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken))
        {
            yield return TableLeadLedger.FromEntity(entity);
        }
    }
}
