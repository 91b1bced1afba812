using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Smarketing.Functions.LeadImports;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// Queue-triggered on <c>mql-handoff-batch</c>: hands a batch of an import's MQLs to the CRM in one request
/// (<see cref="BatchHandoff"/>). A failure reaches the host, which delivers the batch again; on its last delivery the batch's
/// leads go to the one-lead handoff (<c>mql-handoff</c>), whose own retries and dead letters take over, so no lead waits in
/// the host's poison queue, where it would expire.
/// </summary>
public sealed class HandOffMqlBatch(BatchHandoff handoff, IOptions<HandoffQueueOptions> queueOptions)
{
    [Function(nameof(HandOffMqlBatch))]
    public async Task Run(
        [QueueTrigger(HandoffBatch.QueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        HandoffBatch? batch;
        try
        {
            batch = message.Body.ToObjectFromJson<HandoffBatch>(SmarketingJson.Options);
        }
        catch (JsonException)
        {
            batch = null;
        }

        if (batch is null || string.IsNullOrWhiteSpace(batch.ImportId) || batch.LeadIds is null)
        {
            throw new InvalidOperationException("The handoff batch message is not valid JSON of the batch contract.");
        }

        try
        {
            await handoff.HandleAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && message.DequeueCount >= queueOptions.Value.MaxDequeueCount)
        {
            await handoff.FallBackToSingleAsync(batch, $"{ex.GetType().Name}: {Core.Handoff.SensitiveText.Redact(ex.Message)}", cancellationToken);
        }
    }
}
