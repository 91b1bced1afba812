using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Handoff;

/// <summary>
/// Puts a pending handoff back on the queue when its message is gone: the process died or the queue was down between
/// the ledger write and the enqueue, or every attempt failed and the message was dead-lettered (then it resumes with
/// growing delays, <see cref="Lead.ResumeDelays"/>, unless the CRM refused the record for good). It reads only the
/// entries of the <see cref="IPendingHandoffIndex"/> that are due and that the queue's front has passed, so its cost
/// follows pending work, not the ledger's size; a message still waiting in the queue is never sent twice (see
/// <see cref="Lead.IsRequeueDue"/>), a message deferred while the CRM circuit was open counting as enqueued when it
/// becomes visible again. It pauses while the <see cref="CrmCircuit"/> is open.
/// </summary>
public sealed class HandoffReconciler(
    ILeadLedger ledger,
    IPendingHandoffIndex index,
    IHandoffEnqueuer queue,
    IOptions<HandoffOptions> options,
    CrmCircuit circuit,
    TimeProvider timeProvider,
    ILogger<HandoffReconciler> logger)
{
    /// <summary>How long a handoff's message may wait before the reconciler asks whether it is still in the queue (<see cref="HandoffOptions.ReconcileGrace"/>).</summary>
    private readonly TimeSpan GracePeriod = options.Value.ReconcileGrace;

    /// <summary>The most index entries one run handles; the rest wait for the next run.</summary>
    public const int MaxPerRun = 1000;

    private volatile bool _backfilled;

    /// <summary>Re-enqueues every handoff whose message is gone and is due; returns how many.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        if (!_backfilled)
        {
            await BackfillAsync(cancellationToken);
        }

        // While the CRM circuit is open every handoff waits for its probe: a new message would only be deferred in turn.
        var crm = await circuit.ReadAsync(cancellationToken);
        if (crm.Open)
        {
            logger.ReconcilerPaused(crm.Provider, crm.Condition?.ToString() ?? "unknown", crm.NextProbeAt);
            return 0;
        }

        var now = timeProvider.GetUtcNow();
        var front = await queue.OldestWaitingEnqueuedAtAsync(cancellationToken);

        // An entry due after the queue's front belongs to a lead whose message may still be waiting behind it: not read.
        var dueBy = front is { } f && f < now ? f : now;
        var requeued = 0;
        foreach (var entry in await index.ReadDueAsync(dueBy, MaxPerRun, cancellationToken))
        {
            if (await ReconcileAsync(entry, now, front, cancellationToken))
            {
                requeued++;
            }
        }

        return requeued;
    }

    private async Task<bool> ReconcileAsync(PendingHandoff entry, DateTimeOffset now, DateTimeOffset? front, CancellationToken cancellationToken)
    {
        // Claimed under the ETag first, so two reconcilers never both enqueue the same lead.
        var (message, lead) = await ledger.UpdateAsync(
            entry.LeadId,
            current => current?.ClaimRequeue(now, GracePeriod, front) == true
                ? LedgerDecision.Save<(HandoffMessage?, Lead?)>(current, (current.ToHandoffMessage(), current))
                : LedgerDecision.Keep<(HandoffMessage?, Lead?)>((null, current)),
            cancellationToken);
        if (message is not null)
        {
            await queue.EnqueueAsync(message, cancellationToken);
            if (lead!.Handoff.Failures > 0)
            {
                logger.HandoffResumed(entry.LeadId, lead.Handoff.Failures, lead.Handoff.Resumes);
            }
            else
            {
                logger.HandoffRequeued(entry.LeadId, message.MqlAt);
            }
        }

        await RescheduleAsync(entry, lead, now, cancellationToken);
        return message is not null;
    }

    // The new entry is written before the old one is removed, so a crash in between leaves two hints, never none.
    private async Task RescheduleAsync(PendingHandoff entry, Lead? lead, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (lead?.LastEnqueuedAt is not { } enqueuedAt)
        {
            await index.RemoveAsync(entry, cancellationToken);
            return;
        }

        // Refused for good: looked at again at the longest resume delay, in case a replayed attempt failed otherwise.
        var next = lead.NextReconcileAt(GracePeriod) ?? now + Lead.ResumeDelays[^1];
        if (lead.Handoff.Failures == 0 || next <= now)
        {
            // Due but its message may still wait: looked at again once the queue's front has passed it.
            var waiting = enqueuedAt + GracePeriod;
            next = next > waiting ? next : waiting;
            if (next <= now)
            {
                next = now + GracePeriod;
            }
        }

        if (next == entry.DueAt)
        {
            return;
        }

        await index.AddAsync([new PendingHandoff { LeadId = entry.LeadId, DueAt = next, MqlAt = lead.Mql?.At ?? entry.MqlAt }], cancellationToken);
        await index.RemoveAsync(entry, cancellationToken);
    }

    // Handoffs pending before the index existed: one scan of the ledger, once per storage account.
    private async Task BackfillAsync(CancellationToken cancellationToken)
    {
        if (!await index.IsBackfilledAsync(cancellationToken))
        {
            var entries = new List<PendingHandoff>();
            await foreach (var lead in ledger.FindPendingHandoffsAsync(cancellationToken))
            {
                entries.Add(new PendingHandoff { LeadId = lead.LeadId, DueAt = lead.NextReconcileAt(GracePeriod) ?? timeProvider.GetUtcNow(), MqlAt = lead.Mql?.At });
            }

            await index.AddAsync(entries, cancellationToken);
            await index.MarkBackfilledAsync(cancellationToken);
            logger.PendingHandoffsIndexed(entries.Count);
        }

        _backfilled = true;
    }
}
