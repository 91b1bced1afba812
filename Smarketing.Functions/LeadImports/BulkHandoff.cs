using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Handoff.Salesforce;
using Smarketing.Core.Leads;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.LeadImports;

/// <summary>
/// The handoff of a large Salesforce import through ONE Bulk API 2.0 ingest job instead of a collections request per 200
/// MQLs. With <c>Crm:Provider</c> Salesforce, a chunk whose import may reach <c>Crm:Salesforce:BulkThreshold</c> (its row
/// count is not known yet, or is at least the threshold) writes its MQL lead ids to a blob instead of sending handoff
/// batches. When the last chunk is recorded (or the split ends after it), a conditional insert of the import's
/// <c>bulk</c> row claims the handoff and a <c>start</c> message follows: if the import's pending MQLs number at least
/// the threshold, their owners are assigned at once and one job upserts them all; else they go out as collection batches,
/// as a small import's do. A <c>poll</c> message, put back hidden while the job runs (no invocation sleeps), applies the
/// job's per-record outcomes as <see cref="BatchHandoff"/> does: success → SAL, refusal → dead-lettered alone, "not now"
/// and a failed or aborted job → collection batches, a record the one-lead path must handle → the one-lead queue.
/// </summary>
public sealed class BulkHandoff(
    ImportStore store,
    BatchHandoff batches,
    ILeadLedger ledger,
    SalesforceBulkIngest bulk,
    IBatchCrmClient batchCrm,
    CrmCircuit circuit,
    IHandoffEnqueuer singleLeadQueue,
    QueueServiceClient queues,
    IOptions<CrmOptions> crmOptions,
    IOptions<ImportOptions> options,
    TimeProvider timeProvider,
    ILogger<BulkHandoff> logger)
{
    /// <summary>The batch id of the job's counts, and the root of the collection batches it sends.</summary>
    public const string BatchId = "bulk-000";

    private const string BulkRow = "bulk";
    private const string Claimed = "claimed";
    private const string Starting = "starting";
    private const string Running = "running";
    private const string Done = "done";
    private const int Concurrency = 16;

    public QueueClient Queue { get; } = queues.GetQueueClient(BulkHandoffWork.QueueName);

    public QueueClient PoisonQueue { get; } = queues.GetQueueClient(BulkHandoffWork.QueueName + "-poison");

    private bool Applies => string.Equals(crmOptions.Value.Provider, SalesforceCrmClient.ProviderName, StringComparison.OrdinalIgnoreCase);

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
        PoisonQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken));

    /// <summary>
    /// True when the chunk's MQLs wait for the import's end (written to a blob) instead of going out in batches now: the
    /// CRM is Salesforce and the import's rows are unknown yet or at least the Bulk threshold.
    /// </summary>
    public async Task<bool> HoldChunkAsync(string importId, int chunk, ICollection<string> mqls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mqls);
        if (!Applies)
        {
            return false;
        }

        var import = await store.FindAsync(importId, cancellationToken);
        if (import?.Rows is { } rows && rows < bulk.Threshold)
        {
            return false;
        }

        // Written even when empty, and before the chunk's row: a recorded chunk always has its list.
        var text = string.Join('\n', mqls.Order(StringComparer.Ordinal));
        await MqlBlob(importId, chunk).UploadAsync(BinaryData.FromString(text), overwrite: true, cancellationToken);
        return true;
    }

    /// <summary>
    /// Called after a chunk's row is written and after the split's last write: when every chunk is recorded and some held
    /// their MQLs, claims the import's handoff (a conditional insert: of two callers at once, one wins) and sends the start.
    /// </summary>
    public async Task ChunkRecordedAsync(string importId, CancellationToken cancellationToken)
    {
        if (!Applies || await store.FindAsync(importId, cancellationToken) is not { Chunks: { } chunks })
        {
            return;
        }

        var recorded = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {importId} and RowKey ge {"chunk-"} and RowKey lt {"chunk."}");
        await foreach (var _ in store.Imports.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            recorded++;
        }

        if (recorded < chunks || !await AnyHeldAsync(importId, cancellationToken))
        {
            return;
        }

        try
        {
            await store.Imports.AddEntityAsync(new TableEntity(importId, BulkRow) { ["State"] = Claimed, ["ClaimedAt"] = timeProvider.GetUtcNow() }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Claimed before. If the claimer died before its message went out, this sends it; a start that finds the handoff
            // begun by another message drops itself.
            if ((await ReadRowAsync(importId, cancellationToken))?.GetString("State") != Claimed)
            {
                return;
            }
        }

        await SendAsync(new BulkHandoffWork { ImportId = importId, Kind = BulkHandoffWork.Start }, null, cancellationToken);
        logger.BulkHandoffClaimed(importId);
    }

    public async Task HandleAsync(BulkHandoffWork work, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (work.Kind == BulkHandoffWork.Start)
        {
            await StartAsync(work, messageId, cancellationToken);
        }
        else if (work.Kind == BulkHandoffWork.Poll && work.JobId is not null)
        {
            await PollAsync(work, cancellationToken);
        }
        else
        {
            throw new InvalidOperationException($"The bulk handoff message of import '{work.ImportId}' has an unknown kind '{work.Kind}'.");
        }
    }

    /// <summary>The message failed on its last delivery: its leads go to collection batches, whose own retries and fallbacks take over.</summary>
    public async Task FallBackAsync(BulkHandoffWork work, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var row = await ReadRowAsync(work.ImportId, cancellationToken);
        if (row is null || row.GetString("State") == Done)
        {
            return;
        }

        List<string> ids;
        int skipped;
        var collections = 0;
        if (row.GetString("JobId") is not null)
        {
            ids = [.. (await ReadJobAsync(work.ImportId, cancellationToken)).Keys];
            skipped = row.GetInt32("Skipped") ?? 0;
            collections = row.GetInt32("Collections") ?? 0;
        }
        else
        {
            (ids, var listed) = await ReadHeldWithCountAsync(work.ImportId, cancellationToken);
            skipped = listed - ids.Count;
        }

        var sent = await SendCollectionsAsync(work.ImportId, "p", ids, cancellationToken);
        await store.RecordBatchAsync(work.ImportId, BatchId, new BatchCounts(ids.Count + collections + skipped, 0, 0, 0, sent, skipped, timeProvider.GetUtcNow()), cancellationToken);
        await SetStateAsync(work.ImportId, Done, cancellationToken);
        logger.BulkHandoffFellBack(work.ImportId, ids.Count, error);
    }

    private async Task StartAsync(BulkHandoffWork work, string messageId, CancellationToken cancellationToken)
    {
        var importId = work.ImportId;
        var row = await ReadRowAsync(importId, cancellationToken);
        var state = row?.GetString("State");
        if (row is null || row.GetString("JobId") is not null || state is Running or Done || (state == Starting && row.GetString("StartedBy") != messageId))
        {
            return; // Begun or finished by another message.
        }

        if (state == Claimed)
        {
            try
            {
                row["State"] = Starting;
                row["StartedBy"] = messageId;
                await store.Imports.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                return; // Another start message took it.
            }
        }

        var (held, listed) = await ReadHeldWithCountAsync(importId, cancellationToken);
        var leads = await batches.ReadAsync(held, cancellationToken);
        var pending = new List<Lead>();
        var collections = new List<string>();
        var skipped = 0;
        foreach (var lead in leads.Values.OrderBy(l => l.LeadId, StringComparer.Ordinal))
        {
            if (lead.Status != LeadStatus.Mql || !lead.IsHandoffPending || lead.Email is null)
            {
                skipped++;
            }
            else if (lead.Handoff.CrmRecordedAt is not null)
            {
                // Owner and status are create-only once the CRM has the record: a job can't honour that, a collections upsert can.
                collections.Add(lead.LeadId);
            }
            else
            {
                pending.Add(lead);
            }
        }

        // A lead no longer in the ledger, or listed by two chunks (its row twice in the file), needs no handoff: each chunk counted it.
        skipped += listed - leads.Count;
        if (pending.Count < bulk.Threshold)
        {
            var sent = await SendCollectionsAsync(importId, "c", [.. pending.Select(l => l.LeadId), .. collections], cancellationToken);
            await store.RecordBatchAsync(importId, BatchId, new BatchCounts(sent + skipped, 0, 0, 0, 0, skipped, timeProvider.GetUtcNow()), cancellationToken);
            await SetStateAsync(importId, Done, cancellationToken);
            logger.BulkHandoffBelowThreshold(importId, pending.Count, bulk.Threshold);
            return;
        }

        var pass = await circuit.EnterAsync(cancellationToken);
        if (pass.DeferUntil is { } until)
        {
            await DeferStartAsync(work, circuit.DeferralTime(until), "the CRM circuit is open", cancellationToken);
            return;
        }

        var reached = false;
        try
        {
            var owners = await batches.AssignOwnersAsync(pending, cancellationToken);
            var upserts = pending.Where(l => owners.ContainsKey(l.LeadId)).Select(l => ToUpsert(l, owners[l.LeadId])).ToList();
            skipped += pending.Count - upserts.Count;
            await JobBlob(importId).UploadAsync(
                BinaryData.FromString(string.Join('\n', upserts.Select(u => u.ExternalId + "\t" + u.OwnerId))),
                overwrite: true,
                cancellationToken);
            string jobId;
            try
            {
                using (CrmBudgetScope.Enter(CrmBudgetLane.Import))
                {
                    jobId = await bulk.StartAsync(upserts, cancellationToken);
                }
            }
            catch (CrmBudgetExhaustedException ex)
            {
                await DeferStartAsync(work, ex.RetryAt, "the import share of the CRM request budget is spent for now", cancellationToken);
                return;
            }
            catch (CrmTransientException ex) when (ex.Condition is not null)
            {
                reached = true;
                var failure = await circuit.RecordFailureAsync(ex, pass, SensitiveText.Redact($"{SalesforceCrmClient.ProviderName}: {ex.Message}"), cancellationToken);
                await DeferStartAsync(work, circuit.DeferralTime(failure.NextProbeAt ?? timeProvider.GetUtcNow()), $"Salesforce is {ex.Condition}", cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is CrmTransientException or CrmPermanentException)
            {
                // Salesforce answered but would not take the job: the collections upsert answers per record instead.
                reached = true;
                await circuit.RecordReachedAsync(pass, cancellationToken);
                var sent = await SendCollectionsAsync(importId, "c", [.. upserts.Select(u => u.ExternalId), .. collections], cancellationToken);
                await store.RecordBatchAsync(importId, BatchId, new BatchCounts(sent + skipped, 0, 0, 0, 0, skipped, timeProvider.GetUtcNow()), cancellationToken);
                await SetStateAsync(importId, Done, cancellationToken);
                logger.BulkHandoffFellBack(importId, upserts.Count, SensitiveText.Redact(ex.Message));
                return;
            }

            reached = true;
            await circuit.RecordReachedAsync(pass, cancellationToken);
            var sentToCollections = await SendCollectionsAsync(importId, "c", collections, cancellationToken);
            var current = (await ReadRowAsync(importId, cancellationToken))!;
            current["State"] = Running;
            current["JobId"] = jobId;
            current["Leads"] = upserts.Count;
            current["Skipped"] = skipped;
            current["Collections"] = sentToCollections;
            await store.Imports.UpdateEntityAsync(current, ETag.All, TableUpdateMode.Merge, cancellationToken);
            await store.RecordBatchAsync(importId, BatchId, new BatchCounts(upserts.Count + sentToCollections + skipped, 0, 0, 0, 0, skipped, timeProvider.GetUtcNow()), cancellationToken);
            await SendPollAsync(importId, jobId, cancellationToken);
            logger.BulkJobStarted(importId, jobId, upserts.Count, sentToCollections, skipped);
        }
        finally
        {
            if (!reached)
            {
                await circuit.ReleaseProbeAsync(pass, CancellationToken.None);
            }
        }
    }

    private async Task PollAsync(BulkHandoffWork work, CancellationToken cancellationToken)
    {
        var importId = work.ImportId;
        var jobId = work.JobId!;
        var row = await ReadRowAsync(importId, cancellationToken);
        if (row is null || row.GetString("State") != Running || row.GetString("JobId") != jobId)
        {
            return; // Applied before: a repeated message.
        }

        var pass = await circuit.EnterAsync(cancellationToken);
        if (pass.DeferUntil is { } until)
        {
            await DeferAsync(work, circuit.DeferralTime(until), "the CRM circuit is open", cancellationToken);
            return;
        }

        IReadOnlyList<CrmBatchOutcome>? outcomes;
        try
        {
            using (CrmBudgetScope.Enter(CrmBudgetLane.Import))
            {
                outcomes = await bulk.PollAsync(jobId, cancellationToken);
            }
        }
        catch (CrmBudgetExhaustedException ex)
        {
            await circuit.ReleaseProbeAsync(pass, CancellationToken.None);
            await DeferAsync(work, ex.RetryAt, "the import share of the CRM request budget is spent for now", cancellationToken);
            return;
        }
        catch (CrmTransientException ex) when (ex.Condition is not null)
        {
            var failure = await circuit.RecordFailureAsync(ex, pass, SensitiveText.Redact($"{SalesforceCrmClient.ProviderName}: {ex.Message}"), cancellationToken);
            await DeferAsync(work, circuit.DeferralTime(failure.NextProbeAt ?? timeProvider.GetUtcNow()), $"Salesforce is {ex.Condition}", cancellationToken);
            return;
        }
        catch (Exception ex) when (ex is CrmTransientException or CrmPermanentException)
        {
            // The job failed or was aborted (or Salesforce no longer knows it): its leads are sent again as collections.
            await circuit.RecordReachedAsync(pass, cancellationToken);
            await FallBackAsync(work, SensitiveText.Redact(ex.Message), cancellationToken);
            return;
        }

        await circuit.RecordReachedAsync(pass, cancellationToken);
        if (outcomes is null)
        {
            await SendPollAsync(importId, jobId, cancellationToken);
            return;
        }

        var job = await ReadJobAsync(importId, cancellationToken);
        var upserts = job.Select(j => new CrmLeadUpsert
        {
            ExternalId = j.Key,
            Email = string.Empty,
            LeadStatus = LeadStatus.Sal.ToWire(),
            OwnerId = j.Value,
            MqlScore = 0,
        }).ToList();
        var batch = new HandoffBatch { ImportId = importId, BatchId = BatchId, LeadIds = [] };
        var retry = new ConcurrentBag<string>();
        var handedOff = 0;
        var deadLettered = 0;
        var alone = 0;
        await Parallel.ForEachAsync(
            upserts.Zip(SalesforceBulkIngest.ForEachLead(upserts, outcomes)),
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (pair, token) =>
            {
                var (upsert, outcome) = pair;
                switch (outcome.Kind)
                {
                    case CrmBatchOutcomeKind.Succeeded:
                        await batches.RecordSuccessAsync(upsert, outcome, token);
                        Interlocked.Increment(ref handedOff);
                        break;
                    case CrmBatchOutcomeKind.Refused:
                        // The lead's contact data, to keep it out of the reason.
                        var refused = await ledger.FindAsync(upsert.ExternalId, token);
                        await batches.RecordRefusalAsync(batch, upsert with { Email = refused?.Email ?? string.Empty, Phone = refused?.Phone }, outcome.Reason ?? "refused without a reason", token);
                        Interlocked.Increment(ref deadLettered);
                        break;
                    case CrmBatchOutcomeKind.HandOffAlone:
                        if (await ledger.FindAsync(upsert.ExternalId, token) is { IsHandoffPending: true } lead)
                        {
                            await singleLeadQueue.EnqueueAsync(lead.ToHandoffMessage(), token);
                            Interlocked.Increment(ref alone);
                        }

                        break;
                    default:
                        retry.Add(upsert.ExternalId);
                        break;
                }
            });

        var retried = await SendCollectionsAsync(importId, "p", [.. retry], cancellationToken);
        var skipped = row.GetInt32("Skipped") ?? 0;
        var collections = row.GetInt32("Collections") ?? 0;
        await store.RecordBatchAsync(
            importId,
            BatchId,
            new BatchCounts(upserts.Count + collections + skipped, handedOff, deadLettered, alone, retried, skipped + (upserts.Count - handedOff - deadLettered - alone - retried), timeProvider.GetUtcNow()),
            cancellationToken);
        await SetStateAsync(importId, Done, cancellationToken);
        logger.BulkJobApplied(importId, jobId, handedOff, deadLettered, retried, alone);
    }

    private static CrmLeadUpsert ToUpsert(Lead lead, string owner) => new()
    {
        ExternalId = lead.LeadId,
        CrmId = lead.CrmId,
        Email = lead.Email!,
        Phone = lead.Phone,
        LeadStatus = LeadStatus.Sal.ToWire(),
        OwnerId = owner,
        MqlScore = lead.Score,
        LastInterestingMoment = lead.TriggerAction,
        Campaign = lead.Campaign,
        Industry = lead.Industry,
        CompanySize = lead.CompanySize,
        Country = lead.Country,
    };

    // Collection batches of the CRM's size, ids bulk-000-{tag}{n}; answers how many leads they carry.
    private async Task<int> SendCollectionsAsync(string importId, string tag, IReadOnlyCollection<string> leadIds, CancellationToken cancellationToken)
    {
        var size = options.Value.MaxBatchSize is > 0 and var max ? Math.Min(max, batchCrm.MaxBatchSize) : batchCrm.MaxBatchSize;
        var n = 0;
        foreach (var leads in leadIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Chunk(size))
        {
            await store.SendBatchAsync(
                new HandoffBatch { ImportId = importId, BatchId = $"{BatchId}-{tag}{(n++).ToString("D3", CultureInfo.InvariantCulture)}", LeadIds = leads },
                delay: null,
                cancellationToken);
        }

        return leadIds.Distinct(StringComparer.Ordinal).Count();
    }

    private Azure.Storage.Blobs.BlobClient MqlBlob(string importId, int chunk) =>
        store.Container.GetBlobClient($"{importId}/mqls/{chunk.ToString("D6", CultureInfo.InvariantCulture)}.txt");

    private Azure.Storage.Blobs.BlobClient JobBlob(string importId) => store.Container.GetBlobClient($"{importId}/bulk/job.tsv");

    private async Task<bool> AnyHeldAsync(string importId, CancellationToken cancellationToken)
    {
        await foreach (var _ in store.Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{importId}/mqls/", cancellationToken))
        {
            return true;
        }

        return false;
    }

    // The distinct lead ids the chunks held, and how many lines they listed in all.
    private async Task<(List<string> Ids, int Listed)> ReadHeldWithCountAsync(string importId, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var listed = 0;
        await foreach (var item in store.Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{importId}/mqls/", cancellationToken))
        {
            var content = await store.Container.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken);
            var lines = content.Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            listed += lines.Length;
            ids.UnionWith(lines);
        }

        return ([.. ids.Order(StringComparer.Ordinal)], listed);
    }

    private async Task<Dictionary<string, string>> ReadJobAsync(string importId, CancellationToken cancellationToken)
    {
        var content = await JobBlob(importId).DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    private async Task<TableEntity?> ReadRowAsync(string importId, CancellationToken cancellationToken)
    {
        var row = await store.Imports.GetEntityIfExistsAsync<TableEntity>(importId, BulkRow, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    private async Task SetStateAsync(string importId, string state, CancellationToken cancellationToken) =>
        await store.Imports.UpsertEntityAsync(new TableEntity(importId, BulkRow) { ["State"] = state }, TableUpdateMode.Merge, cancellationToken);

    private Task SendPollAsync(string importId, string jobId, CancellationToken cancellationToken)
    {
        var interval = options.Value.BulkPollInterval;
        return SendAsync(new BulkHandoffWork { ImportId = importId, Kind = BulkHandoffWork.Poll, JobId = jobId, NotBefore = timeProvider.GetUtcNow() + interval }, interval, cancellationToken);
    }

    // A start put back to wait is claimed again, so that the message that comes back may take it.
    private async Task DeferStartAsync(BulkHandoffWork work, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken)
    {
        await SetStateAsync(work.ImportId, Claimed, cancellationToken);
        await DeferAsync(work, visibleAt, reason, cancellationToken);
    }

    private async Task DeferAsync(BulkHandoffWork work, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken)
    {
        await SendAsync(work with { NotBefore = visibleAt }, visibleAt - timeProvider.GetUtcNow(), cancellationToken);
        logger.BulkHandoffDeferred(work.ImportId, work.Kind, visibleAt, reason);
    }

    private async Task SendAsync(BulkHandoffWork work, TimeSpan? delay, CancellationToken cancellationToken) =>
        await Queue.SendMessageAsync(
            JsonSerializer.Serialize(work, SmarketingJson.Options),
            visibilityTimeout: delay is { } d && d > TimeSpan.Zero ? (d > TimeSpan.FromDays(7) ? TimeSpan.FromDays(7) : d) : null,
            timeToLive: QueueHandoffEnqueuer.NeverExpires,
            cancellationToken: cancellationToken);
}

/// <summary>Creates the bulk handoff's queues at start.</summary>
internal sealed class BulkHandoffInitializer(BulkHandoff bulk) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => bulk.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

// Import ids, job ids and counts only.
internal static partial class Log
{
    [LoggerMessage(1250, LogLevel.Information, "Import {ImportId}: every chunk is recorded; its MQLs are claimed for the Salesforce Bulk handoff")]
    public static partial void BulkHandoffClaimed(this ILogger logger, Echoed importId);

    [LoggerMessage(1251, LogLevel.Information, "Import {ImportId}: {Pending} MQLs to hand off, below the Bulk threshold {Threshold}; they go out as collection batches")]
    public static partial void BulkHandoffBelowThreshold(this ILogger logger, Echoed importId, int pending, int threshold);

    [LoggerMessage(1252, LogLevel.Information, "Import {ImportId}: Bulk API job {JobId} started with {Leads} leads; {Collections} sent as collections, {Skipped} needed no handoff")]
    public static partial void BulkJobStarted(this ILogger logger, Echoed importId, Echoed jobId, int leads, int collections, int skipped);

    [LoggerMessage(1253, LogLevel.Information, "Import {ImportId}: Bulk API job {JobId} applied: {HandedOff} handed off, {DeadLettered} dead-lettered, {Retried} sent again as collections, {Alone} sent alone")]
    public static partial void BulkJobApplied(this ILogger logger, Echoed importId, Echoed jobId, int handedOff, int deadLettered, int retried, int alone);

    [LoggerMessage(1254, LogLevel.Information, "Bulk handoff {Kind} of import {ImportId} waits until {VisibleAt}: {Reason}")]
    public static partial void BulkHandoffDeferred(this ILogger logger, Echoed importId, Echoed kind, DateTimeOffset visibleAt, Echoed reason);

    [LoggerMessage(1255, LogLevel.Warning, "Bulk handoff of import {ImportId} fell back to collection batches for {Leads} leads: {Error}")]
    public static partial void BulkHandoffFellBack(this ILogger logger, Echoed importId, int leads, Echoed error);
}
