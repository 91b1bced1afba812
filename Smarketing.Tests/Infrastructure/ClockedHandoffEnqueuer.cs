using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;

namespace Smarketing.Tests.Infrastructure;

/// <summary>
/// The app's real handoff queue, with one change for tests on a fake clock: a deferred message (hidden until the CRM's
/// next probe, on the app's clock) is put on the queue visible at once, and the test's listener moves the fake clock to
/// the time the message carries (<see cref="HandoffMessage.EnqueuedAt"/>) before handing it to the function. Days of
/// waiting for a CRM then take as long as the work in them. The real visibility delay has its own test.
/// </summary>
public sealed class ClockedHandoffEnqueuer(IHandoffEnqueuer inner, FakeTimeProvider time) : IHandoffEnqueuer
{
    private readonly List<(string LeadId, DateTimeOffset VisibleAt)> _deferrals = [];
    private readonly Lock _lock = new();

    /// <summary>Every deferral the app asked for: which lead, hidden until when.</summary>
    public IReadOnlyList<(string LeadId, DateTimeOffset VisibleAt)> Deferrals
    {
        get
        {
            lock (_lock)
            {
                return [.. _deferrals];
            }
        }
    }

    public Task EnqueueAsync(HandoffMessage message, CancellationToken cancellationToken) => inner.EnqueueAsync(message, cancellationToken);

    public Task DeferAsync(HandoffMessage message, DateTimeOffset visibleAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            _deferrals.Add((message.LeadId, visibleAt));
        }

        return inner.DeferAsync(message, time.GetUtcNow(), cancellationToken);
    }

    public Task<DateTimeOffset?> OldestWaitingEnqueuedAtAsync(CancellationToken cancellationToken) => inner.OldestWaitingEnqueuedAtAsync(cancellationToken);

    /// <summary>Moves <paramref name="time"/> on to when the message in <paramref name="body"/> was due, if that is later.</summary>
    public static void FollowClock(FakeTimeProvider time, BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            // Advanced rather than set: another thread's read may move the clock on by its auto-advance in between.
            if (body.ToObjectFromJson<HandoffMessage>(Functions.Storage.SmarketingJson.Options)?.EnqueuedAt is { } due
                && due - time.GetUtcNow() is { } ahead && ahead > TimeSpan.Zero)
            {
                time.Advance(ahead);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // A broken message is the function's to dead-letter; it moves no clock.
        }
    }
}
