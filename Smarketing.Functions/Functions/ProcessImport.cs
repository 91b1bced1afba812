using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Functions.LeadImports;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// Queue-triggered on <c>lead-imports</c>: splits an upload into chunks, or processes one chunk (see
/// <see cref="ImportProcessor"/>). Every step is safe to repeat, so the host's redelivery after a failure or a process
/// kill resumes the import with no lead lost or doubled. A message that is not valid import work is logged and dropped:
/// it can never succeed, and it carries no lead.
/// </summary>
public sealed class ProcessImport(ImportProcessor processor, ImportStore store, IOptions<HandoffQueueOptions> queueOptions, IOptions<ImportOptions> options, ILogger<ProcessImport> logger)
{
    [Function(nameof(ProcessImport))]
    public async Task Run(
        [QueueTrigger(ImportWork.QueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ImportWork? work;
        try
        {
            work = message.Body.ToObjectFromJson<ImportWork>(SmarketingJson.Options);
        }
        catch (JsonException)
        {
            work = null;
        }

        if (work is null || string.IsNullOrWhiteSpace(work.ImportId) || (work.Kind == ImportWork.Chunk && work.ChunkNumber is null))
        {
            logger.ImportUnknown(message.MessageId);
            return;
        }

        try
        {
            if (work.Kind == ImportWork.Split)
            {
                await processor.SplitAsync(work.ImportId, cancellationToken);
            }
            else
            {
                await processor.ProcessChunkAsync(work.ImportId, work.ChunkNumber!.Value, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && message.DequeueCount >= queueOptions.Value.MaxDequeueCount)
        {
            // The upload or a chunk cannot be processed after every delivery: the import says so, naming the chunk, instead
            // of waiting for ever (the host's poison queue expires). Rows of other chunks stand; send the file again with a
            // new Idempotency-Key once the cause is fixed (rows already recorded are repeated deliveries and change nothing).
            var import = await store.FindAsync(work.ImportId, cancellationToken);
            if (import is not null)
            {
                var what = work.Kind == ImportWork.Split ? "The upload could not be split" : $"Chunk {work.ChunkNumber} (rows from {(long)work.ChunkNumber!.Value * options.Value.ChunkSize + 2}) could not be processed";
                var failure = $"{what} after {message.DequeueCount} attempts: {ex.GetType().Name}.";
                await store.UpdateAsync(import with { State = ImportStates.Failed, Failure = failure }, cancellationToken);
                logger.ImportFailed(work.ImportId, failure);
            }
        }
    }
}
