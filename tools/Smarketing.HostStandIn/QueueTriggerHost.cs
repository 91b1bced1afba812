using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Smarketing.HostStandIn;

/// <summary>
/// Dispatches queue messages to a function the way the Functions host's queue listener does:
/// receive under a lease, invoke, delete on success; on failure make the message visible again after
/// host.json's <c>visibilityTimeout</c>, and once its dequeue count reaches <c>maxDequeueCount</c> copy it
/// to the <c>-poison</c> queue and delete it.
/// </summary>
public sealed class QueueTriggerHost(QueueClient queue, QueueClient poison, HostQueueSettings settings, Func<QueueMessage, CancellationToken, Task> function)
{
    /// <summary>How long a received message stays invisible while it is processed (the host's 10 minutes unless shortened).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The visibility timeout used after a failure; host.json's unless a test shortens it.</summary>
    public TimeSpan RetryDelay { get; init; } = settings.VisibilityTimeout;

    private int _invocations;
    private int _failures;

    /// <summary>
    /// How many messages of a received batch run at once: 1 processes them one after another; the real host runs
    /// up to host.json's <c>batchSize</c> (16) of them in parallel.
    /// </summary>
    public int Concurrency { get; init; } = 1;

    public int Invocations => _invocations;

    public int Failures => _failures;

    public ConcurrentQueue<Exception> Errors { get; } = new();

    /// <summary>
    /// The listener of the queue this one poisons into, run after this queue is empty, as the host runs every
    /// queue trigger of the app; null when the test wants the poison queue left alone.
    /// </summary>
    public QueueTriggerHost? PoisonListener { get; init; }

    /// <summary>Processes messages until the queue holds none (visible or not) or <paramref name="timeout"/> passes.</summary>
    public async Task RunUntilEmptyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            var received = await queue.ReceiveMessagesAsync(settings.BatchSize, Lease, cts.Token);
            if (received.Value.Length == 0)
            {
                var properties = await queue.GetPropertiesAsync(cts.Token);
                if (properties.Value.ApproximateMessagesCount == 0)
                {
                    if (PoisonListener is not null)
                    {
                        await PoisonListener.RunUntilEmptyAsync(timeout, cts.Token);
                    }

                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200, settings.MaxPollingInterval.TotalMilliseconds)), cts.Token);
                continue;
            }

            if (Concurrency <= 1)
            {
                foreach (var message in received.Value)
                {
                    await ProcessAsync(message, cts.Token);
                }
            }
            else
            {
                await Parallel.ForEachAsync(
                    received.Value,
                    new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cts.Token },
                    (message, ct) => new ValueTask(ProcessAsync(message, ct)));
            }
        }
    }

    /// <summary>
    /// Processes messages until <paramref name="cancellationToken"/> is cancelled, as the host's listener runs for the
    /// life of the process: polls at <c>maxPollingInterval</c> while the queue is empty, and outlives failures of
    /// storage itself (a reset connection, a stale pop receipt) as the host does, by receiving again.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // A listener that runs for hours keeps only the latest errors.
            while (Errors.Count > 100 && Errors.TryDequeue(out _))
            {
            }

            try
            {
                var received = await queue.ReceiveMessagesAsync(settings.BatchSize, Lease, cancellationToken);
                if (received.Value.Length == 0)
                {
                    await Task.Delay(settings.MaxPollingInterval, cancellationToken);
                    continue;
                }

                // One message at a time, as in RunUntilEmptyAsync: run several listeners for concurrent handoffs.
                foreach (var message in received.Value)
                {
                    await ProcessAsync(message, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The host's listener survives storage failures and polls again; so does its stand-in.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                StorageErrors++;
                Errors.Enqueue(ex);

                await Task.Delay(settings.MaxPollingInterval, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>How many messages the queue holds, visible or not (the queue's approximate count).</summary>
    public async Task<int> QueueCountAsync(CancellationToken cancellationToken = default) =>
        (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

    /// <summary>Failures of the listener's own storage calls (receive, delete, update) in <see cref="RunAsync"/>.</summary>
    public int StorageErrors { get; private set; }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _invocations);
        try
        {
            await function(message, cancellationToken);
        }
#pragma warning disable CA1031 // The host catches every failure of a function invocation; so does its stand-in.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failures);
            Errors.Enqueue(ex);
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: RetryDelay, cancellationToken: cancellationToken);
            }

            return;
        }

        try
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // As the host does: the delete went through on an attempt whose answer was lost, and the SDK's retry found nothing.
        }
    }
}
