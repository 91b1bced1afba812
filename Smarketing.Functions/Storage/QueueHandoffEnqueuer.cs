using System.Text.Json;
using Smarketing.Core.Contracts;
using Smarketing.Core.Storage;

namespace Smarketing.Functions.Storage;

internal sealed class QueueHandoffEnqueuer(StorageLayout layout) : IHandoffEnqueuer
{
    public Task EnqueueAsync(HandoffMessage message, CancellationToken cancellationToken) =>
        layout.Handoff.SendMessageAsync(JsonSerializer.Serialize(message, SmarketingJson.Options), cancellationToken);
}
