using Microsoft.Extensions.Logging;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Handoff;

/// <summary>
/// Finds MQLs whose handoff was recorded but never attempted — the process died or the queue was down
/// between the ledger write and the enqueue — and enqueues them again. A lead is re-enqueued only after
/// <see cref="GracePeriod"/> since it became an MQL (or since the last re-enqueue), so a message merely
/// waiting in the queue is not duplicated every run; a duplicate is harmless anyway, since the handoff is
/// idempotent.
/// </summary>
public sealed class HandoffReconciler(ILeadLedger ledger, IHandoffEnqueuer queue, TimeProvider timeProvider, ILogger<HandoffReconciler> logger)
{
    /// <summary>How long a pending handoff may wait before it is re-enqueued.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromMinutes(5);

    /// <summary>Re-enqueues every stale, unattempted handoff; returns how many.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var requeued = 0;
        await foreach (var candidate in ledger.FindUnattemptedHandoffsAsync(cancellationToken))
        {
            if (!candidate.IsRequeueDue(now, GracePeriod))
            {
                continue;
            }

            // Claimed under the ETag first, so two reconcilers never both enqueue the same lead.
            var message = await ledger.UpdateAsync(
                candidate.LeadId,
                current => current?.ClaimRequeue(now, GracePeriod) == true
                    ? LedgerDecision.Save<HandoffMessage?>(current, current.ToHandoffMessage())
                    : LedgerDecision.Keep<HandoffMessage?>(null),
                cancellationToken);
            if (message is null)
            {
                continue;
            }

            await queue.EnqueueAsync(message, cancellationToken);
            logger.HandoffRequeued(candidate.LeadId, message.MqlAt);
            requeued++;
        }

        return requeued;
    }
}
