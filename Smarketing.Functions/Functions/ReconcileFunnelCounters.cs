using Microsoft.Azure.Functions.Worker;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// Every 15 minutes: counts in the funnel counters the moves a save recorded on the ledger but could not count (the
/// process died, or storage failed, between the two writes). Its first run is the one-off backfill of ledger rows
/// written before the counters existed.
/// </summary>
public sealed class ReconcileFunnelCounters(FunnelCounterReconciler reconciler)
{
    [Function(nameof(ReconcileFunnelCounters))]
    public Task Run([TimerTrigger("0 */15 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        reconciler.ReconcileAsync(cancellationToken);
}
