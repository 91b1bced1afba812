using Microsoft.Azure.Functions.Worker;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// Daily at 03:30 UTC: deletes refused-delivery records older than <c>Retention:RefusedDeliveries</c> and, when
/// <c>Retention:History</c> is set, full-history rows older than it (<see cref="RetentionSweeper"/>).
/// </summary>
public sealed class ApplyRetention(RetentionSweeper sweeper)
{
    [Function(nameof(ApplyRetention))]
    public Task Run([TimerTrigger("0 30 3 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweeper.SweepAsync(cancellationToken);
}
