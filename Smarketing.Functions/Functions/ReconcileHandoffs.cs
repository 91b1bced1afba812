using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions;

/// <summary>
/// Every minute: re-enqueues MQLs whose handoff was recorded in the ledger but never reached the queue
/// (the process died, or the queue was down, between the two writes). The reconciler logs each lead it re-enqueues.
/// </summary>
public sealed class ReconcileHandoffs(HandoffReconciler reconciler)
{
    [Function(nameof(ReconcileHandoffs))]
    public Task Run([TimerTrigger("0 */1 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        reconciler.ReconcileAsync(cancellationToken);
}
