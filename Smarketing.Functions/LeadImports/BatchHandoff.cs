using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Leads;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.LeadImports;

/// <summary>
/// Hands a batch of an import's MQLs to the CRM in one request (<see cref="IBatchCrmClient"/>), inside the shared request
/// budget's import share. Owners are assigned for the whole batch at once and written before the CRM call, so a retried
/// batch keeps each lead's rep. Per record: a success moves the lead MQL → SAL; a refusal is dead-lettered alone with its
/// reason; a "not now" goes into a later batch of the leftovers; a record the one-lead path must handle goes to the
/// single-lead queue. A batch that the budget, an open CRM circuit or a throttle holds back is put back on the queue hidden
/// until then (no invocation sleeps). A lead that needs no handoff any more (already SAL, erased, recycled) is skipped, so a
/// batch delivered twice creates no second record and no second transition.
/// </summary>
public sealed class BatchHandoff(
    ImportStore store,
    ILeadLedger ledger,
    IBatchCrmClient crm,
    IOwnerAssigner owners,
    CrmCircuit circuit,
    IHandoffEnqueuer singleLeadQueue,
    PoisonedHandoffStore poison,
    LifecyclePolicy policy,
    IOptions<ImportOptions> options,
    TimeProvider timeProvider,
    ILogger<BatchHandoff> logger)
{
    /// <summary>How many times the leftovers of a batch are sent again before they go to the one-lead handoff.</summary>
    public const int MaxRetries = 5;

    private const int ReadConcurrency = 16;
    private const int MaxErrorLength = 1000;

    public async Task HandleAsync(HandoffBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var pass = await circuit.EnterAsync(cancellationToken);
        if (pass.DeferUntil is { } until)
        {
            await DeferAsync(batch, circuit.DeferralTime(until), "the CRM circuit is open", cancellationToken);
            return;
        }

        var reached = false;
        try
        {
            reached = await HandOffAsync(batch, pass, cancellationToken);
        }
        finally
        {
            if (!reached)
            {
                await circuit.ReleaseProbeAsync(pass, CancellationToken.None);
            }
        }
    }

    /// <summary>The batch failed its last delivery otherwise than by a state of the CRM: each lead goes to the one-lead handoff, which dead-letters what it cannot hand off.</summary>
    public async Task FallBackToSingleAsync(HandoffBatch batch, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var leads = await ReadAsync(batch.LeadIds, cancellationToken);
        var sent = 0;
        foreach (var lead in leads.Values.Where(l => l.IsHandoffPending))
        {
            await singleLeadQueue.EnqueueAsync(lead.ToHandoffMessage(), cancellationToken);
            sent++;
        }

        logger.BatchFellBackToSingle(batch.ImportId, batch.BatchId, sent, error);
        await store.RecordBatchAsync(batch.ImportId, batch.BatchId, new BatchCounts(batch.LeadIds.Count, 0, 0, sent, 0, batch.LeadIds.Count - sent, timeProvider.GetUtcNow()), cancellationToken);
    }

    // True when the CRM was called and answered.
    private async Task<bool> HandOffAsync(HandoffBatch batch, CircuitPass pass, CancellationToken cancellationToken)
    {
        var leads = await ReadAsync(batch.LeadIds, cancellationToken);
        var pending = new List<Lead>();
        var alone = new List<Lead>();
        var skipped = 0;
        foreach (var id in batch.LeadIds.Distinct(StringComparer.Ordinal))
        {
            if (!leads.TryGetValue(id, out var lead) || lead.Status != LeadStatus.Mql || !lead.IsHandoffPending || lead.Email is null)
            {
                skipped++;
            }
            else if (lead.Handoff.CrmRecordedAt is not null)
            {
                // An earlier attempt reached the CRM: owner and status are create-only now, which the one-lead path handles.
                alone.Add(lead);
            }
            else
            {
                pending.Add(lead);
            }
        }

        foreach (var lead in alone)
        {
            await singleLeadQueue.EnqueueAsync(lead.ToHandoffMessage(), cancellationToken);
        }

        if (pending.Count == 0)
        {
            await RecordAsync(batch, new BatchCounts(batch.LeadIds.Count, 0, 0, alone.Count, 0, skipped, timeProvider.GetUtcNow()), cancellationToken);
            return false;
        }

        var ownersByLead = await AssignOwnersAsync(pending, cancellationToken);
        var upserts = pending
            .Where(l => ownersByLead.ContainsKey(l.LeadId))
            .Select(l => new CrmLeadUpsert
            {
                ExternalId = l.LeadId,
                CrmId = l.CrmId,
                Email = l.Email!,
                Phone = l.Phone,
                LeadStatus = LeadStatus.Sal.ToWire(),
                OwnerId = ownersByLead[l.LeadId],
                MqlScore = l.Score,
                LastInterestingMoment = l.TriggerAction,
                Campaign = l.Campaign,
                Industry = l.Industry,
                CompanySize = l.CompanySize,
                Country = l.Country,
            })
            .ToList();

        IReadOnlyList<CrmBatchOutcome> outcomes;
        try
        {
            using (CrmBudgetScope.Enter(CrmBudgetLane.Import))
            {
                outcomes = await crm.UpsertLeadsAsync(upserts, cancellationToken);
            }
        }
        catch (CrmBudgetExhaustedException ex)
        {
            await DeferAsync(batch, ex.RetryAt, "the import share of the CRM request budget is spent for now", cancellationToken);
            return false;
        }
        catch (CrmTransientException ex) when (ex.Condition is not null)
        {
            var state = await circuit.RecordFailureAsync(ex, pass, SensitiveText.Redact($"{crm.Provider}: {ex.Message}"), cancellationToken);
            await DeferAsync(batch, circuit.DeferralTime(state.NextProbeAt ?? timeProvider.GetUtcNow()), $"{crm.Provider} is {ex.Condition}", cancellationToken);
            return true; // The circuit recorded the failure (and released or rescheduled the probe).
        }

        await circuit.RecordReachedAsync(pass, cancellationToken);
        var byId = upserts.ToDictionary(u => u.ExternalId, StringComparer.Ordinal);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var retry = new ConcurrentBag<string>();
        var handedOff = 0;
        var deadLettered = 0;
        var sentAlone = alone.Count;
        await Parallel.ForEachAsync(
            outcomes.Where(o => byId.ContainsKey(o.ExternalId) && answered.Add(o.ExternalId)).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken },
            async (outcome, token) =>
            {
                var upsert = byId[outcome.ExternalId];
                switch (outcome.Kind)
                {
                    case CrmBatchOutcomeKind.Succeeded:
                        await RecordSuccessAsync(upsert, outcome, token);
                        Interlocked.Increment(ref handedOff);
                        break;
                    case CrmBatchOutcomeKind.Refused:
                        await RecordRefusalAsync(batch, upsert, outcome.Reason ?? "refused without a reason", token);
                        Interlocked.Increment(ref deadLettered);
                        break;
                    case CrmBatchOutcomeKind.HandOffAlone:
                        if (leads.TryGetValue(upsert.ExternalId, out var lead))
                        {
                            await singleLeadQueue.EnqueueAsync(lead.ToHandoffMessage(), token);
                            Interlocked.Increment(ref sentAlone);
                        }

                        break;
                    default:
                        retry.Add(upsert.ExternalId);
                        break;
                }
            });

        // A record the CRM did not answer for at all is sent again too.
        foreach (var upsert in upserts.Where(u => !answered.Contains(u.ExternalId)))
        {
            retry.Add(upsert.ExternalId);
        }

        var leftovers = retry.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (leftovers.Count > 0)
        {
            if (batch.Retries < MaxRetries)
            {
                await store.SendBatchAsync(
                    new HandoffBatch { ImportId = batch.ImportId, BatchId = $"{RootId(batch.BatchId)}-r{batch.Retries + 1}", LeadIds = leftovers, Retries = batch.Retries + 1 },
                    options.Value.RetryDelay,
                    cancellationToken);
            }
            else
            {
                foreach (var id in leftovers)
                {
                    await singleLeadQueue.EnqueueAsync(leads[id].ToHandoffMessage(), cancellationToken);
                }

                sentAlone += leftovers.Count;
                leftovers = [];
            }
        }

        await RecordAsync(batch, new BatchCounts(batch.LeadIds.Count, handedOff, deadLettered, sentAlone, leftovers.Count, skipped, timeProvider.GetUtcNow()), cancellationToken);
        logger.BatchHandedOff(batch.ImportId, batch.BatchId, handedOff, deadLettered, leftovers.Count, sentAlone, skipped);
        return true;
    }

    // A batch's saves leave their funnel moves to the counters' reconciler (ReconcileFunnelCounters, every 15 minutes): a
    // hundred saves counting at once into the same campaign-day counter rows contended until each spent its counting budget
    // (a minute per batch of 100 in the import benchmark).
    private static Lead Uncounted(Lead lead)
    {
        lead.DeferCounting();
        return lead;
    }

    private static string RootId(string batchId) => batchId.Split("-r", 2)[0];

    private Task RecordAsync(HandoffBatch batch, BatchCounts counts, CancellationToken cancellationToken) =>
        store.RecordBatchAsync(batch.ImportId, batch.BatchId, counts, cancellationToken);

    internal async Task<Dictionary<string, Lead>> ReadAsync(IReadOnlyList<string> leadIds, CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<string, Lead>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            leadIds.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken },
            async (id, token) =>
            {
                if (await ledger.FindAsync(id, token) is { } lead)
                {
                    found[id] = lead;
                }
            });
        return new Dictionary<string, Lead>(found, StringComparer.Ordinal);
    }

    // Every lead without an owner gets one from one call for the batch; each is written before the CRM call (first owner wins).
    internal async Task<Dictionary<string, string>> AssignOwnersAsync(List<Lead> leads, CancellationToken cancellationToken)
    {
        var result = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var without = new List<Lead>();
        foreach (var lead in leads)
        {
            if (lead.OwnerId is { } owner)
            {
                result[lead.LeadId] = owner;
            }
            else
            {
                without.Add(lead);
            }
        }

        if (without.Count > 0)
        {
            var reps = await owners.AssignManyAsync(
                [.. without.Select(l => new OwnerAssignmentRequest { LeadId = l.LeadId, Country = l.Country, Industry = l.Industry })],
                cancellationToken);
            await Parallel.ForEachAsync(
                without.Zip(reps),
                new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken },
                async (pair, token) =>
                {
                    var (lead, candidate) = pair;
                    var owner = await ledger.UpdateAsync(
                        lead.LeadId,
                        current => current?.AssignOwner(candidate, timeProvider.GetUtcNow()) == true
                            ? LedgerDecision.Save(Uncounted(current), (string?)candidate)
                            : LedgerDecision.Keep(current is { IsHandoffPending: true } ? current.OwnerId : null),
                        token);
                    if (owner is not null)
                    {
                        result[lead.LeadId] = owner;
                    }
                });
        }

        return new Dictionary<string, string>(result, StringComparer.Ordinal);
    }

    internal Task<bool> RecordSuccessAsync(CrmLeadUpsert upsert, CrmBatchOutcome outcome, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var recordId = outcome.RecordId!;
        return ledger.UpdateAsync(
            upsert.ExternalId,
            current =>
            {
                if (current is null)
                {
                    return LedgerDecision.Keep(false);
                }

                var changed = current.RecordCrmRecord(recordId, now);
                changed |= current.RecordHandoffSuccess(recordId, upsert.OwnerId, crm.Provider, now, policy);
                return changed ? LedgerDecision.Save(Uncounted(current), true) : LedgerDecision.Keep(false);
            },
            cancellationToken);
    }

    internal async Task RecordRefusalAsync(HandoffBatch batch, CrmLeadUpsert upsert, string reason, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var error = SensitiveText.Redact($"{crm.Provider} refused the record: {reason}", upsert.Email, upsert.Phone);
        if (error.Length > MaxErrorLength)
        {
            error = error[..MaxErrorLength];
        }

        var message = await ledger.UpdateAsync(
            upsert.ExternalId,
            current => current?.RecordHandoffFailure(error, now, refused: true) == true
                ? LedgerDecision.Save(Uncounted(current), (HandoffMessage?)current.ToHandoffMessage())
                : LedgerDecision.Keep(current?.IsHandoffPending == true ? current.ToHandoffMessage() : null),
            cancellationToken);
        if (message is not null)
        {
            await poison.PoisonBatchRecordAsync($"{batch.ImportId}:{batch.BatchId}:{upsert.ExternalId}", message, error, crm.Provider, cancellationToken);
            logger.BatchRecordRefused(upsert.ExternalId, batch.BatchId, crm.Provider);
        }
    }

    private async Task DeferAsync(HandoffBatch batch, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken)
    {
        var delay = visibleAt - timeProvider.GetUtcNow();
        await store.SendBatchAsync(batch with { NotBefore = visibleAt }, delay, cancellationToken);
        logger.BatchDeferred(batch.ImportId, batch.BatchId, visibleAt, reason);
    }
}
