using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Feedback;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The lead ledger in Table Storage: one partition per lead (so leads never contend). The row <c>ledger</c> holds the
/// lead with its latest history entries (a JSON column, at most <see cref="HistoryOnRow"/> entries and
/// <see cref="HistoryBudget"/> characters); the full history is one row per move, <c>history-0000000001</c> onwards,
/// in the same partition, written in the same entity-group transaction as the ledger row under its ETag, so both
/// change together or not at all. A row written before the history rows existed (no <c>HistoryCount</c>) keeps its
/// whole history in the column; its first save copies that history into rows.
/// </summary>
/// <para>
/// After a save that added moves, the moves are counted in the funnel counters (<see cref="TableFunnelCounters"/>)
/// and the row records how many are counted (<c>CountedMoves</c>, and <c>CountsPending</c> while some are not). A
/// crash or a storage failure between the two leaves the row pending: the next save of the lead, or
/// <see cref="FunnelCounterReconciler"/>, counts the rest, and each move's marker keeps a move from counting twice.
/// </para>
internal sealed class TableLeadLedger(StorageLayout layout, TableFunnelCounters counters, LifecyclePolicy policy, ILogger<TableLeadLedger> logger) : ILeadLedger
{
    public const string RowKey = "ledger";

    /// <summary>How many of the latest history entries the ledger row keeps.</summary>
    public const int HistoryOnRow = 20;

    /// <summary>
    /// The most characters of the row's history column: Table Storage caps a string property at 32K characters, and
    /// the column keeps fewer entries rather than pass it (always at least the latest one).
    /// </summary>
    public const int HistoryBudget = 30_000;

    // Azure Tables: at most 100 operations in one entity-group transaction.
    private const int MaxBatch = 100;

    private const string HistoryPrefix = "history-";

    // How long a save may spend counting its moves before it leaves them to the reconciler.
    private static readonly TimeSpan CountingBudget = TimeSpan.FromSeconds(10);

    public static string HistoryRowKey(int sequence) => HistoryPrefix + sequence.ToString("D10", CultureInfo.InvariantCulture);

    public async Task<Lead?> FindAsync(string leadId, CancellationToken cancellationToken)
    {
        var entity = await ReadRowAsync(leadId, cancellationToken);
        return entity is null ? null : Readable(leadId, () => FromEntity(entity));
    }

    public async Task SaveAsync(Lead lead, CancellationToken cancellationToken)
    {
        var memento = lead.ToMemento();
        var entity = ToEntity(memento);
        var history = NewHistoryRows(memento);
        try
        {
            lead.MarkStored(history.Count == 0
                ? await SaveRowAsync(entity, lead.ETag, cancellationToken)
                : await SaveWithHistoryAsync(entity, lead.ETag, history, cancellationToken));
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new LedgerConflictException(lead.LeadId);
        }
        catch (RequestFailedException ex) when (StorageErrors.IsPermanent(ex))
        {
            var reason = StorageErrors.Describe(ex);
            logger.LedgerRowRefused(lead.LeadId, reason);
            throw new LedgerPermanentFailureException(lead.LeadId, reason, ex);
        }

        if (lead.CountedMoves < lead.HistoryCount && !lead.CountLater)
        {
            // Counting never fails nor holds up the save it follows (intake enqueues the handoff after it): whatever goes
            // wrong, or takes longer than CountingBudget, leaves the row pending for the reconciler, which counts it.
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(CountingBudget);
            try
            {
                await CountAsync(lead, budget.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The move is on the ledger, which is the truth; the row stays pending for the reconciler.
                logger.FunnelCountDeferred(lead.LeadId, ex.GetType().Name);
            }
        }
    }

    /// <summary>
    /// Counts the stored moves of <paramref name="lead"/> the counters do not hold yet and records so on its row (under
    /// its ETag: when another writer saved meanwhile, that writer's save counts them, so nothing is recorded here).
    /// </summary>
    internal async Task CountAsync(Lead lead, CancellationToken cancellationToken)
    {
        var total = lead.HistoryCount;
        var next = lead.CountedMoves + 1;
        var firstInMemory = total - lead.History.Count + 1;
        while (next <= total)
        {
            IReadOnlyList<LifecycleEntry> entries;
            if (next >= firstInMemory)
            {
                entries = [.. lead.History.Skip(next - firstInMemory)];
            }
            else
            {
                var page = await ReadHistoryAsync(lead.LeadId, next, 100, cancellationToken);
                if (page is not null && page.FirstSequence > next && page.Entries.Count > 0)
                {
                    // Retention removed moves before they were counted (the reconciler had not run for that long): they
                    // cannot be counted any more; the gap is logged, and counting goes on from the oldest move kept
                    // instead of numbering the kept moves from the missing ones (which counted them twice).
                    logger.FunnelCountDeferred(lead.LeadId, $"history moves {next}–{page.FirstSequence - 1} removed before they were counted");
                    next = page.FirstSequence;
                    if (next >= firstInMemory)
                    {
                        continue;
                    }
                }

                entries = page is null ? [] : [.. page.Entries.Take(firstInMemory - next)];
                if (entries.Count == 0)
                {
                    // History rows the count says exist are not there: count nothing more and leave the row pending,
                    // so the gap is logged on every reconciler run instead of skipped.
                    logger.FunnelCountDeferred(lead.LeadId, $"history move {next} not found");
                    return;
                }
            }

            foreach (var move in FunnelMove.Of(lead, entries, next, policy))
            {
                await counters.CountAsync(move, cancellationToken);
            }

            next += entries.Count;
        }

        if (lead.ETag is null)
        {
            return;
        }

        try
        {
            var response = await layout.LeadLedger.UpdateEntityAsync(
                new TableEntity(TableKeys.Encode(lead.LeadId), RowKey) { ["CountedMoves"] = total, ["CountsPending"] = false },
                new ETag(lead.ETag),
                TableUpdateMode.Merge,
                cancellationToken);
            lead.MarkCounted(total, response.Headers.ETag?.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another save came in between; it read this lead's moves as still to count and counts them.
        }
    }

    public async Task<LeadHistoryPage?> ReadHistoryAsync(string leadId, int fromSequence, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSequence, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var entity = await ReadRowAsync(leadId, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        var row = Readable(leadId, () => FromEntity(entity));
        if (entity.GetInt32("HistoryCount") is null)
        {
            // A row from before the history rows: its whole history is the column.
            return new LeadHistoryPage { Total = row.HistoryCount, FirstSequence = fromSequence, Entries = [.. row.History.Skip(fromSequence - 1).Take(pageSize)] };
        }

        // Rows past the ledger row's count belong to a save that lost its ETag race: not part of the history.
        var last = Math.Min(row.HistoryCount, fromSequence + pageSize - 1);
        var entries = new List<LifecycleEntry>();
        var first = fromSequence;
        if (fromSequence <= last)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {entity.PartitionKey} and RowKey ge {HistoryRowKey(fromSequence)} and RowKey le {HistoryRowKey(last)}");
            await foreach (var history in layout.LeadLedger.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, select: ["Entry", "Sequence"], cancellationToken: cancellationToken))
            {
                // Retention (Retention:History) removes the oldest rows: the page starts at the first one still kept.
                if (entries.Count == 0)
                {
                    first = history.GetInt32("Sequence") ?? fromSequence;
                }

                entries.Add(Readable(leadId, () => JsonSerializer.Deserialize<LifecycleEntry>(history.GetString("Entry") ?? "null", SmarketingJson.Options)
                    ?? throw new InvalidDataException($"History row '{history.RowKey}' is empty.")));
            }
        }

        return new LeadHistoryPage { Total = row.HistoryCount, FirstSequence = first, Entries = entries };
    }

    public async IAsyncEnumerable<Lead> FindPendingHandoffsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = layout.LeadLedger.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"RowKey eq {RowKey} and HandoffPending eq {true} and Status eq {"MQL"}"),
            cancellationToken: cancellationToken);
        await foreach (var entity in query)
        {
            yield return FromEntity(entity);
        }
    }

    private async Task<TableEntity?> ReadRowAsync(string leadId, CancellationToken cancellationToken)
    {
        var response = await layout.LeadLedger.GetEntityIfExistsAsync<TableEntity>(TableKeys.Encode(leadId), RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private T Readable<T>(string leadId, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or InvalidOperationException or ArgumentException)
        {
            logger.LedgerRowRefused(leadId, "the stored row cannot be read: " + ex.Message);
            throw new LedgerPermanentFailureException(leadId, "the stored row cannot be read", ex);
        }
    }

    private async Task<string?> SaveRowAsync(TableEntity entity, string? etag, CancellationToken cancellationToken)
    {
        var response = etag is null
            ? await layout.LeadLedger.AddEntityAsync(entity, cancellationToken)
            : await layout.LeadLedger.UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Replace, cancellationToken);
        return response.Headers.ETag?.ToString();
    }

    private async Task<string?> SaveWithHistoryAsync(TableEntity entity, string? etag, List<TableEntity> history, CancellationToken cancellationToken)
    {
        // More new entries than one transaction holds happens only when an old row's whole history is first copied:
        // the oldest go first, on their own; they are invisible until the ledger row's count covers them.
        var alone = Math.Max(0, history.Count - (MaxBatch - 1));
        foreach (var chunk in history.Take(alone).Chunk(MaxBatch))
        {
            await layout.LeadLedger.SubmitTransactionAsync(chunk.Select(h => new TableTransactionAction(TableTransactionActionType.UpsertReplace, h)), cancellationToken);
        }

        var actions = new List<TableTransactionAction>
        {
            etag is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(etag)),
        };
        actions.AddRange(history.Skip(alone).Select(h => new TableTransactionAction(TableTransactionActionType.UpsertReplace, h)));
        var responses = await layout.LeadLedger.SubmitTransactionAsync(actions, cancellationToken);
        return responses.Value[0].Headers.ETag?.ToString();
    }

    private static List<TableEntity> NewHistoryRows(LeadMemento memento)
    {
        var total = Math.Max(memento.HistoryCount, memento.History.Count);
        var firstInMemory = total - memento.History.Count + 1;
        var rows = new List<TableEntity>();
        for (var sequence = Math.Max(memento.StoredHistoryCount + 1, firstInMemory); sequence <= total; sequence++)
        {
            rows.Add(new TableEntity(TableKeys.Encode(memento.LeadId), HistoryRowKey(sequence))
            {
                ["LeadId"] = memento.LeadId,
                ["Sequence"] = sequence,

                // A column of its own, so retention (Retention:History) finds old rows with a filter.
                ["At"] = memento.History[sequence - firstInMemory].At,
                ["Entry"] = JsonSerializer.Serialize(memento.History[sequence - firstInMemory], SmarketingJson.Options),
            });
        }

        return rows;
    }

    // The latest entries that fit the column: at most HistoryOnRow, at most HistoryBudget characters, at least one.
    private static string HistoryColumn(IReadOnlyList<LifecycleEntry> history)
    {
        var kept = history.Skip(Math.Max(0, history.Count - HistoryOnRow)).ToList();
        var json = JsonSerializer.Serialize(kept, SmarketingJson.Options);
        while (json.Length > HistoryBudget && kept.Count > 1)
        {
            kept.RemoveAt(0);
            json = JsonSerializer.Serialize(kept, SmarketingJson.Options);
        }

        return json;
    }

    internal static TableEntity ToEntity(LeadMemento record) =>
        new(TableKeys.Encode(record.LeadId), RowKey)
        {
            ["LeadId"] = record.LeadId,
            ["Status"] = record.Status.ToWire(),
            ["StatusSince"] = record.StatusSince,
            ["RecycleCount"] = record.RecycleCount,
            ["History"] = HistoryColumn(record.History),
            ["HistoryCount"] = Math.Max(record.HistoryCount, record.History.Count),
            ["CountedMoves"] = record.CountedMoves,
            ["CountsPending"] = record.CountedMoves < Math.Max(record.HistoryCount, record.History.Count),
            ["Email"] = record.Email,
            ["Phone"] = record.Phone,
            ["Industry"] = record.Industry,
            ["CompanySize"] = record.CompanySize,
            ["Country"] = record.Country,
            ["Campaign"] = record.Campaign,
            ["Source"] = record.Source,
            ["CrmId"] = record.CrmId,
            ["OwnerId"] = record.OwnerId,
            ["Score"] = record.Score,
            ["Explanation"] = JsonSerializer.Serialize(record.Explanation, SmarketingJson.Options),
            ["ModelVersion"] = record.ModelVersion,
            ["TriggerAction"] = record.TriggerAction,
            ["MqlAt"] = record.Mql?.At,
            ["MqlCampaign"] = record.Mql?.Campaign,
            ["MqlSource"] = record.Mql?.Source,
            ["MqlScore"] = record.Mql?.Score,
            ["MqlModelVersion"] = record.Mql?.ModelVersion,
            ["DisqualifiedAt"] = record.Disqualification?.At,
            ["DisqualifiedCampaign"] = record.Disqualification?.Campaign,
            ["DisqualifiedSource"] = record.Disqualification?.Source,
            ["DisqualifiedScore"] = record.Disqualification?.Score,
            ["DisqualifiedModelVersion"] = record.Disqualification?.ModelVersion,
            ["LastSubmissionHash"] = record.LastSubmissionHash,
            ["RecentDeliveries"] = string.Join('\n', record.RecentDeliveries),
            ["HandoffEnqueueFailed"] = record.Handoff.EnqueueFailed,
            ["HandoffRequeuedAt"] = record.Handoff.RequeuedAt,
            ["HandoffDeferredUntil"] = record.Handoff.DeferredUntil,
            ["HandoffResumes"] = record.Handoff.Resumes,
            ["HandoffLastFailedAt"] = record.Handoff.LastFailedAt,
            ["HandoffRefused"] = record.Handoff.Refused,
            ["HandoffPending"] = record.Handoff.Pending,
            ["HandoffFailures"] = record.Handoff.Failures,
            ["LastHandoffError"] = record.Handoff.LastError,
            ["HandoffCrmRecordedAt"] = record.Handoff.CrmRecordedAt,
            ["HandedOffAt"] = record.Handoff.HandedOffAt,
            ["SpeedToLeadMs"] = record.Handoff.SpeedToLead is { } speed ? (long)speed.TotalMilliseconds : null,
            ["CreatedAt"] = record.CreatedAt,
            ["UpdatedAt"] = record.UpdatedAt,
            ["ErasedAt"] = record.ErasedAt,
        };

    internal static Lead FromEntity(TableEntity e)
    {
        if (!LeadStatusNames.TryParse(e.GetString("Status"), out var status))
        {
            throw new InvalidDataException($"Ledger row '{e.PartitionKey}' has an unknown status '{e.GetString("Status")}'.");
        }

        var history = JsonSerializer.Deserialize<List<LifecycleEntry>>(e.GetString("History") ?? "[]", SmarketingJson.Options) ?? [];

        // No count: a row from before the history rows, whose column is the whole history and none of it in rows yet.
        var historyCount = e.GetInt32("HistoryCount");
        var mqlAt = e.GetDateTimeOffset("MqlAt");
        var disqualifiedAt = e.GetDateTimeOffset("DisqualifiedAt");
        return Lead.Restore(new LeadMemento
        {
            LeadId = e.GetString("LeadId") ?? TableKeys.Decode(e.PartitionKey),
            Status = status,
            StatusSince = e.GetDateTimeOffset("StatusSince") ?? default,
            RecycleCount = e.GetInt32("RecycleCount") ?? 0,
            History = history,
            HistoryCount = historyCount ?? history.Count,
            StoredHistoryCount = historyCount ?? 0,
            CountedMoves = e.GetInt32("CountedMoves") ?? 0,
            Email = e.GetString("Email"),
            Phone = e.GetString("Phone"),
            Industry = e.GetString("Industry"),
            CompanySize = e.GetInt32("CompanySize"),
            Country = e.GetString("Country"),
            Campaign = e.GetString("Campaign"),
            Source = e.GetString("Source"),
            CrmId = e.GetString("CrmId"),
            OwnerId = e.GetString("OwnerId"),
            Score = e.GetInt32("Score") ?? 0,
            Explanation = JsonSerializer.Deserialize<List<ScoreLine>>(e.GetString("Explanation") ?? "[]", SmarketingJson.Options) ?? [],
            ModelVersion = e.GetString("ModelVersion"),
            TriggerAction = e.GetString("TriggerAction"),
            Mql = mqlAt is null ? null : new LeadSnapshot
            {
                At = mqlAt.Value,
                Campaign = e.GetString("MqlCampaign"),
                Source = e.GetString("MqlSource"),
                Score = e.GetInt32("MqlScore") ?? 0,
                ModelVersion = e.GetString("MqlModelVersion") ?? string.Empty,
            },
            Disqualification = disqualifiedAt is null ? null : new LeadSnapshot
            {
                At = disqualifiedAt.Value,
                Campaign = e.GetString("DisqualifiedCampaign"),
                Source = e.GetString("DisqualifiedSource"),
                Score = e.GetInt32("DisqualifiedScore") ?? 0,
                ModelVersion = e.GetString("DisqualifiedModelVersion") ?? string.Empty,
            },
            LastSubmissionHash = e.GetString("LastSubmissionHash"),
            RecentDeliveries = (e.GetString("RecentDeliveries") ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Handoff = new HandoffState
            {
                EnqueueFailed = e.GetBoolean("HandoffEnqueueFailed") ?? false,
                RequeuedAt = e.GetDateTimeOffset("HandoffRequeuedAt"),
                DeferredUntil = e.GetDateTimeOffset("HandoffDeferredUntil"),
                Resumes = e.GetInt32("HandoffResumes") ?? 0,
                LastFailedAt = e.GetDateTimeOffset("HandoffLastFailedAt"),
                Refused = e.GetBoolean("HandoffRefused") ?? false,
                Pending = e.GetBoolean("HandoffPending") ?? false,
                Failures = e.GetInt32("HandoffFailures") ?? 0,
                LastError = e.GetString("LastHandoffError"),
                CrmRecordedAt = e.GetDateTimeOffset("HandoffCrmRecordedAt"),
                HandedOffAt = e.GetDateTimeOffset("HandedOffAt"),
                SpeedToLead = e.GetInt64("SpeedToLeadMs") is { } speedMs ? TimeSpan.FromMilliseconds(speedMs) : null,
            },
            CreatedAt = e.GetDateTimeOffset("CreatedAt") ?? default,
            UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? default,
            ErasedAt = e.GetDateTimeOffset("ErasedAt"),
            ETag = e.ETag.ToString(),
        });
    }
}
