using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Smarketing.Functions.LeadImports;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// Queue-triggered on <c>mql-handoff-bulk</c>: starts the Salesforce Bulk API job of a large import's MQLs, or looks at it
/// (<see cref="BulkHandoff"/>). A failure reaches the host, which delivers the message again; on its last delivery the
/// import's leads go to collection batches (<c>mql-handoff-batch</c>), whose own retries and fallbacks take over, so no
/// lead waits in the host's poison queue.
/// </summary>
public sealed class HandOffMqlBulk(BulkHandoff handoff, IOptions<HandoffQueueOptions> queueOptions)
{
    [Function(nameof(HandOffMqlBulk))]
    public async Task Run(
        [QueueTrigger(BulkHandoffWork.QueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        BulkHandoffWork? work;
        try
        {
            work = message.Body.ToObjectFromJson<BulkHandoffWork>(SmarketingJson.Options);
        }
        catch (JsonException)
        {
            work = null;
        }

        if (work is null || string.IsNullOrWhiteSpace(work.ImportId) || string.IsNullOrWhiteSpace(work.Kind))
        {
            throw new InvalidOperationException("The bulk handoff message is not valid JSON of the bulk handoff contract.");
        }

        try
        {
            await handoff.HandleAsync(work, message.MessageId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && message.DequeueCount >= queueOptions.Value.MaxDequeueCount)
        {
            await handoff.FallBackAsync(work, $"{ex.GetType().Name}: {Core.Handoff.SensitiveText.Redact(ex.Message)}", cancellationToken);
        }
    }
}
