using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The index of pending handoffs, the table <c>PendingHandoffs</c>: partitions <c>due-00</c> … <c>due-15</c> (a lead's
/// shard from the hash of its id), one small row per lead and due time with RowKey
/// <c>{due time in ticks, 19 digits}|{SHA-256 of the lead id}</c> (a lead id may fill a key on its own), so the
/// reconciler's read is one key-range query per shard over the due rows only. Sharded because every MQL's intake writes
/// a row: one partition would be a hot spot (Azure serves about 2,000 entities a second from one partition, and
/// Azurite's writes slow down as a partition grows). Rows an earlier version wrote to the single partition <c>due</c>
/// are still read and removed. The same lead and due time is the same row; a lead may briefly have two rows
/// (rescheduled, or a qualifying duplicate delivery), each of which the reconciler checks against the ledger. The row
/// <c>backfilled</c> of partition <c>state</c> records that the handoffs pending before the index existed were copied in.
/// </summary>
internal sealed class TablePendingHandoffIndex(StorageLayout layout) : IPendingHandoffIndex
{
    private const string LegacyDuePartition = "due";
    private const int Shards = 16;
    private const string StatePartition = "state";
    private const string BackfilledRow = "backfilled";

    // Azure Tables: at most 100 operations in one entity-group transaction.
    private const int MaxBatch = 100;

    private static readonly string[] DuePartitions =
        [.. Enumerable.Range(0, Shards).Select(i => "due-" + i.ToString("D2", CultureInfo.InvariantCulture)), LegacyDuePartition];

    public static string RowKey(PendingHandoff entry) =>
        entry.DueAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + Convert.ToHexString(LeadHash(entry.LeadId));

    /// <summary>The partition of a lead's rows: its shard.</summary>
    public static string Partition(string leadId) => DuePartitions[LeadHash(leadId)[0] % Shards];

    private static byte[] LeadHash(string leadId) =>
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(leadId));

    public async Task AddAsync(IReadOnlyCollection<PendingHandoff> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rows = entries.Select(ToEntity).DistinctBy(e => (e.PartitionKey, e.RowKey)).ToList();
        if (rows.Count == 1)
        {
            await layout.PendingHandoffs.UpsertEntityAsync(rows[0], TableUpdateMode.Replace, cancellationToken);
            return;
        }

        // A transaction holds rows of one partition only.
        foreach (var chunk in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(MaxBatch)))
        {
            await layout.PendingHandoffs.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<PendingHandoff>> ReadDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken)
    {
        // Every row key of a time up to dueBy sorts before "{ticks of dueBy + 1}". Each shard gives its earliest rows; the
        // earliest of them all are the answer, as one partition's key range gave them.
        var bound = (dueBy.UtcTicks + 1).ToString("D19", CultureInfo.InvariantCulture);
        var rows = new List<(string RowKey, PendingHandoff Entry)>();
        foreach (var partition in DuePartitions)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey lt {bound}");
            var taken = 0;
            await foreach (var row in layout.PendingHandoffs.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), select: ["RowKey", "LeadId", "DueAt", "MqlAt"], cancellationToken: cancellationToken))
            {
                rows.Add((row.RowKey, new PendingHandoff { LeadId = row.GetString("LeadId"), DueAt = row.GetDateTimeOffset("DueAt") ?? dueBy, MqlAt = row.GetDateTimeOffset("MqlAt") }));
                if (++taken == max)
                {
                    break;
                }
            }
        }

        return [.. rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).Take(max).Select(r => r.Entry)];
    }

    public async Task RemoveAsync(PendingHandoff entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        foreach (var partition in new[] { Partition(entry.LeadId), LegacyDuePartition })
        {
            // The SDK answers a missing row with its 404 response rather than an exception (some versions throw it).
            try
            {
                using var response = await layout.PendingHandoffs.DeleteEntityAsync(partition, RowKey(entry), ETag.All, cancellationToken);
                if (response.Status != 404)
                {
                    return;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }

            // Not there: another reconciler removed it first, or an earlier version wrote it to the single partition.
        }
    }

    public async Task<bool> IsBackfilledAsync(CancellationToken cancellationToken) =>
        (await layout.PendingHandoffs.GetEntityIfExistsAsync<TableEntity>(StatePartition, BackfilledRow, select: ["PartitionKey"], cancellationToken: cancellationToken)).HasValue;

    public Task MarkBackfilledAsync(CancellationToken cancellationToken) =>
        layout.PendingHandoffs.UpsertEntityAsync(new TableEntity(StatePartition, BackfilledRow), TableUpdateMode.Replace, cancellationToken);

    private static TableEntity ToEntity(PendingHandoff entry) =>
        new(Partition(entry.LeadId), RowKey(entry))
        {
            ["LeadId"] = entry.LeadId,
            ["DueAt"] = entry.DueAt,
            ["MqlAt"] = entry.MqlAt,
        };

    public async Task<(IReadOnlyList<PendingHandoff> Entries, bool Truncated)> ReadAllAsync(int max, CancellationToken cancellationToken)
    {
        // Each partition is read from its earliest due row, up to its share of max; the answer is the earliest rows of
        // them all, so the oldest pending handoffs are in it even when it is truncated.
        var share = (max / DuePartitions.Length) + 1;
        var rows = new List<(string RowKey, PendingHandoff Entry)>();
        var truncated = false;
        foreach (var partition in DuePartitions)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
            var taken = 0;
            await foreach (var row in layout.PendingHandoffs.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", "LeadId", "DueAt", "MqlAt"], cancellationToken: cancellationToken))
            {
                if (taken == share)
                {
                    truncated = true;
                    break;
                }

                rows.Add((row.RowKey, new PendingHandoff { LeadId = row.GetString("LeadId"), DueAt = row.GetDateTimeOffset("DueAt") ?? DateTimeOffset.MinValue, MqlAt = row.GetDateTimeOffset("MqlAt") }));
                taken++;
            }
        }

        truncated |= rows.Count > max;
        return ([.. rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).Take(max).Select(r => r.Entry)], truncated);
    }
}
