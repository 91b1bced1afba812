using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Smarketing.Functions.Storage;

/// <summary>
/// Counts the moves the funnel counters missed. Its first complete run is the backfill: it reads every ledger row once
/// (rows written before the counters existed have no <c>CountedMoves</c>), counts their whole history, and records
/// itself done in <c>FunnelCounters</c> (partition <c>meta</c>, row <c>backfill</c>). Every later run reads only the
/// rows still marked <c>CountsPending</c> (a crash or a storage failure between a save and its count). Markers keep a
/// move from counting twice, so a run that overlaps a save, or a run cut short and started again, is harmless.
/// </summary>
public sealed class FunnelCounterReconciler
{
    private readonly StorageLayout layout;
    private readonly TableLeadLedger ledger;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<FunnelCounterReconciler> logger;

    internal FunnelCounterReconciler(StorageLayout layout, TableLeadLedger ledger, TimeProvider timeProvider, ILogger<FunnelCounterReconciler> logger)
    {
        this.layout = layout;
        this.ledger = ledger;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    public const string MetaPartition = "meta";
    public const string BackfillRow = "backfill";

    private static readonly string[] Columns = ["PartitionKey", "LeadId", "HistoryCount", "CountedMoves", "CountsPending"];

    /// <summary>One pass; returns how many leads it counted.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var backfilled = (await layout.FunnelCounters.GetEntityIfExistsAsync<TableEntity>(MetaPartition, BackfillRow, cancellationToken: cancellationToken)).HasValue;
        var filter = backfilled
            ? TableClient.CreateQueryFilter($"RowKey eq {TableLeadLedger.RowKey} and CountsPending eq {true}")
            : TableClient.CreateQueryFilter($"RowKey eq {TableLeadLedger.RowKey}");
        var scanned = 0;
        var counted = 0;
        await foreach (var row in layout.LeadLedger.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken))
        {
            scanned++;
            if (row.GetBoolean("CountsPending") == false && row.GetInt32("CountedMoves") is not null)
            {
                continue;
            }

            var leadId = row.GetString("LeadId") ?? TableKeys.Decode(row.PartitionKey);
            try
            {
                var lead = await ledger.FindAsync(leadId, cancellationToken);
                if (lead is null || lead.CountedMoves >= lead.HistoryCount)
                {
                    continue;
                }

                await ledger.CountAsync(lead, cancellationToken);
                counted++;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // One lead that cannot be read or counted now (contention, a transient or permanent storage error, a
                // damaged row) must not stop the others, nor keep the backfill from ever completing: it stays pending
                // for the next run (or its next save) and is logged each time.
                logger.FunnelCountDeferred(leadId, ex is Azure.RequestFailedException rf ? StorageErrors.Describe(rf) : ex.GetType().Name);
            }
        }

        if (!backfilled)
        {
            await layout.FunnelCounters.UpsertEntityAsync(
                new TableEntity(MetaPartition, BackfillRow) { ["CompletedAt"] = timeProvider.GetUtcNow(), ["LedgerRows"] = scanned, ["LeadsCounted"] = counted },
                TableUpdateMode.Replace,
                cancellationToken);
        }

        logger.FunnelCountersReconciled(backfilled ? "pending rows" : "backfill", scanned, counted);
        return counted;
    }
}
