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
