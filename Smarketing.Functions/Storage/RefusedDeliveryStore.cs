using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Smarketing.Functions.Storage;

/// <summary>A delivery the intake answered with a 4xx, as recorded: no e-mail, phone or body, only where it came from and why.</summary>
public sealed record RefusedDelivery
{
    public required string Source { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required int Status { get; init; }

    public required string Reason { get; init; }

    public string? ObjectId { get; init; }

    public long? BodyBytes { get; init; }
}

/// <summary>
/// The <c>RefusedDeliveries</c> table: one row per refusal of a source that drops a 4xx instead of retrying it, so a
/// lead that never arrived can be traced. Partition = source (lowercase), row = newest first. Recording is best effort:
/// a storage failure is logged and never changes the answer.
/// </summary>
public sealed class RefusedDeliveryStore(StorageLayout layout, ILogger<RefusedDeliveryStore> logger)
{
    private const int MaxTextLength = 512;

    public async Task RecordAsync(RefusedDelivery refusal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var source = refusal.Source.ToLowerInvariant();
        var entity = new TableEntity(source, RowKey(refusal.ReceivedAt))
        {
            ["Source"] = source,
            ["ReceivedAt"] = refusal.ReceivedAt,
            ["Status"] = refusal.Status,
            ["Reason"] = Cap(refusal.Reason),
            ["ObjectId"] = refusal.ObjectId is null ? null : Cap(refusal.ObjectId),
            ["BodyBytes"] = refusal.BodyBytes,
        };
        try
        {
            await layout.RefusedDeliveries.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException ex)
        {
            logger.RefusalNotRecorded(source, refusal.Status, ex.Status);
        }
    }

    public static async Task<IReadOnlyList<RefusedDelivery>> ReadAsync(TableClient table, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(source);
        var partition = source.ToLowerInvariant();
        var rows = new List<RefusedDelivery>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken))
        {
            rows.Add(new RefusedDelivery
            {
                Source = row.GetString("Source"),
                ReceivedAt = row.GetDateTimeOffset("ReceivedAt") ?? default,
                Status = row.GetInt32("Status") ?? 0,
                Reason = row.GetString("Reason") ?? string.Empty,
                ObjectId = row.GetString("ObjectId"),
                BodyBytes = row.GetInt64("BodyBytes"),
            });
        }

        return rows;
    }

    // Newest first, and unique when two refusals share a tick.
    private static string RowKey(DateTimeOffset at) =>
        $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}-{Guid.NewGuid():N}";

    private static string Cap(string text) => text.Length <= MaxTextLength ? text : text[..MaxTextLength];
}
