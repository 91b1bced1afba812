using Smarketing.Core.Contracts;

namespace Smarketing.Core.Handoff;

/// <summary>The queue that carries MQLs to the CRM handoff.</summary>
public interface IHandoffEnqueuer
{
    /// <summary>Puts a handoff message on the queue.</summary>
    Task EnqueueAsync(HandoffMessage message, CancellationToken cancellationToken);
}
