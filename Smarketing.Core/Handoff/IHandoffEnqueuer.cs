using Smarketing.Core.Contracts;

namespace Smarketing.Core.Handoff;

/// <summary>The queue that carries MQLs to the CRM handoff.</summary>
public interface IHandoffEnqueuer
{
    /// <summary>Puts a handoff message on the queue.</summary>
    Task EnqueueAsync(HandoffMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a handoff message on the queue hidden until <paramref name="visibleAt"/> (on the app's clock; a queue hides a
    /// message for at most 7 days), never expiring: a handoff waiting for the CRM, with no delivery attempt spent.
    /// </summary>
    Task DeferAsync(HandoffMessage message, DateTimeOffset visibleAt, CancellationToken cancellationToken);

    /// <summary>
    /// When the message at the front of the queue (the oldest waiting, as far as the queue's ordering goes) was enqueued,
    /// on the app's clock; null when no message is waiting.
    /// </summary>
    Task<DateTimeOffset?> OldestWaitingEnqueuedAtAsync(CancellationToken cancellationToken);
}
