using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The index of pending handoffs, the table <c>PendingHandoffs</c>: partition <c>due</c>, one small row per lead and due
/// time with RowKey <c>{due time in ticks, 19 digits}|{SHA-256 of the lead id}</c> (a lead id may fill a key on its own), so the reconciler's read is one key-range query over
/// the due rows only. The same lead and due time is the same row; a lead may briefly have two rows (rescheduled, or
/// a qualifying duplicate delivery), each of which the reconciler checks against the ledger. The row <c>backfilled</c>
/// of partition <c>state</c> records that the handoffs pending before the index existed were copied in.
/// </summary>
internal sealed class TablePendingHandoffIndex(StorageLayout layout) : IPendingHandoffIndex
{
    private const string DuePartition = "due";
    private const string StatePartition = "state";
    private const string BackfilledRow = "backfilled";

    // Azure Tables: at most 100 operations in one entity-group transaction.
    private const int MaxBatch = 100;

    public static string RowKey(PendingHandoff entry) =>
        entry.DueAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|"
        + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(entry.LeadId)));

    public async Task AddAsync(IReadOnlyCollection<PendingHandoff> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rows = entries.Select(ToEntity).DistinctBy(e => e.RowKey, StringComparer.Ordinal).ToList();
        if (rows.Count == 1)
        {
            await layout.PendingHandoffs.UpsertEntityAsync(rows[0], TableUpdateMode.Replace, cancellationToken);
            return;
        }

        foreach (var chunk in rows.Chunk(MaxBatch))
        {
            await layout.PendingHandoffs.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<PendingHandoff>> ReadDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken)
    {
        // Every row key of a time up to dueBy sorts before "{ticks of dueBy + 1}".
        var bound = (dueBy.UtcTicks + 1).ToString("D19", CultureInfo.InvariantCulture);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition} and RowKey lt {bound}");
        var entries = new List<PendingHandoff>();
        await foreach (var row in layout.PendingHandoffs.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), select: ["LeadId", "DueAt", "MqlAt"], cancellationToken: cancellationToken))
        {
            entries.Add(new PendingHandoff { LeadId = row.GetString("LeadId"), DueAt = row.GetDateTimeOffset("DueAt") ?? dueBy, MqlAt = row.GetDateTimeOffset("MqlAt") });
            if (entries.Count == max)
            {
                break;
            }
        }

        return entries;
    }

    public async Task RemoveAsync(PendingHandoff entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await layout.PendingHandoffs.DeleteEntityAsync(DuePartition, RowKey(entry), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Another reconciler removed it first.
        }
    }

    public async Task<bool> IsBackfilledAsync(CancellationToken cancellationToken) =>
        (await layout.PendingHandoffs.GetEntityIfExistsAsync<TableEntity>(StatePartition, BackfilledRow, select: ["PartitionKey"], cancellationToken: cancellationToken)).HasValue;

    public Task MarkBackfilledAsync(CancellationToken cancellationToken) =>
        layout.PendingHandoffs.UpsertEntityAsync(new TableEntity(StatePartition, BackfilledRow), TableUpdateMode.Replace, cancellationToken);

    private static TableEntity ToEntity(PendingHandoff entry) =>
        new(DuePartition, RowKey(entry))
        {
            ["LeadId"] = entry.LeadId,
            ["DueAt"] = entry.DueAt,
            ["MqlAt"] = entry.MqlAt,
        };

    public async Task<(IReadOnlyList<PendingHandoff> Entries, bool Truncated)> ReadAllAsync(int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition}");
        var entries = new List<PendingHandoff>();
        await foreach (var row in layout.PendingHandoffs.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["LeadId", "DueAt", "MqlAt"], cancellationToken: cancellationToken))
        {
            if (entries.Count == max)
            {
                return (entries, true);
            }

            entries.Add(new PendingHandoff { LeadId = row.GetString("LeadId"), DueAt = row.GetDateTimeOffset("DueAt") ?? DateTimeOffset.MinValue, MqlAt = row.GetDateTimeOffset("MqlAt") });
        }

        return (entries, false);
    }
}
