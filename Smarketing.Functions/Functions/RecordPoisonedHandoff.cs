using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Contracts;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// Queue-triggered on <c>mql-handoff-poison</c>: moves each handoff the host still gave up on into the never-expiring
/// dead-letter table with its lead's last error, where the admin functions list and replay it. <see cref="HandOffMql"/>
/// dead-letters a message's last delivery itself, so what lands here is a message of an earlier version or one whose
/// dead-letter write failed. The host deletes the poison copy once this completes; a failure
/// (storage down) leaves it in the poison queue for the next delivery.
/// </summary>
public sealed class RecordPoisonedHandoff(PoisonedHandoffStore deadLetters)
{
    [Function(nameof(RecordPoisonedHandoff))]
    public Task Run(
        [QueueTrigger(HandoffMessage.PoisonQueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        deadLetters.RecordHostPoisonedAsync(message, cancellationToken);
}
