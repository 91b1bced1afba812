using System.Text.Json;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Storage;

internal sealed class QueueHandoffEnqueuer(StorageLayout layout) : IHandoffEnqueuer
{
    // A queue message lives 7 days by default; a handoff must wait out any outage instead.
    internal static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    public Task EnqueueAsync(HandoffMessage message, CancellationToken cancellationToken) =>
        layout.Handoff.SendMessageAsync(
            JsonSerializer.Serialize(message, SmarketingJson.Options),
            visibilityTimeout: null,
            timeToLive: NeverExpires,
            cancellationToken: cancellationToken);
}
