using System.Text.Json;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Storage;

internal sealed class QueueHandoffEnqueuer(StorageLayout layout, TimeProvider timeProvider) : IHandoffEnqueuer
{
    // A queue message lives 7 days by default; a handoff must wait out any outage instead.
    internal static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    // Azure Queue Storage hides a message for at most 7 days.
    private static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(7);

    public Task DeferAsync(HandoffMessage message, DateTimeOffset visibleAt, CancellationToken cancellationToken)
    {
        var delay = visibleAt - timeProvider.GetUtcNow();
        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxVisibilityDelay ? MaxVisibilityDelay : delay;
        return layout.Handoff.SendMessageAsync(
            JsonSerializer.Serialize(message, SmarketingJson.Options),
            visibilityTimeout: delay,
            timeToLive: NeverExpires,
            cancellationToken: cancellationToken);
    }

    public Task EnqueueAsync(HandoffMessage message, CancellationToken cancellationToken) =>
        layout.Handoff.SendMessageAsync(
            JsonSerializer.Serialize(message, SmarketingJson.Options),
            visibilityTimeout: null,
            timeToLive: NeverExpires,
            cancellationToken: cancellationToken);

    public async Task<DateTimeOffset?> OldestWaitingEnqueuedAtAsync(CancellationToken cancellationToken)
    {
        var peeked = await layout.Handoff.PeekMessagesAsync(1, cancellationToken);
        if (peeked.Value.Length == 0)
        {
            return null;
        }

        try
        {
            var message = peeked.Value[0].Body.ToObjectFromJson<HandoffMessage>(SmarketingJson.Options);

            // A message of an earlier version has no enqueue time; its MQL time is earlier still, which only holds back more.
            return message?.EnqueuedAt ?? message?.MqlAt ?? DateTimeOffset.MinValue;
        }
        catch (JsonException)
        {
            // A broken message at the front is the handoff's to dead-letter; until then nothing behind it counts as passed.
            return DateTimeOffset.MinValue;
        }
    }
}
