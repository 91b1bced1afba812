using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.LeadImports;

// Import ids, lead ids and counts only: never a row's content.
internal static partial class Log
{
    [LoggerMessage(1200, LogLevel.Information, "Import {ImportId} received: {Bytes} bytes of {Format}")]
    public static partial void ImportReceived(this ILogger logger, Echoed importId, long bytes, Echoed format);

    [LoggerMessage(1201, LogLevel.Warning, "Import work names import {ImportId}, which does not exist; the message is dropped")]
    public static partial void ImportUnknown(this ILogger logger, Echoed importId);

    [LoggerMessage(1202, LogLevel.Information, "Import {ImportId} split: {Rows} rows in {Chunks} chunks")]
    public static partial void ImportSplit(this ILogger logger, Echoed importId, long rows, int chunks);

    [LoggerMessage(1203, LogLevel.Information, "Chunk {Chunk} of import {ImportId} was processed already (its blob is gone); the repeated message is dropped")]
    public static partial void ImportChunkMissing(this ILogger logger, Echoed importId, int chunk);

    [LoggerMessage(1204, LogLevel.Information, "Chunk {Chunk} of import {ImportId}: {Rows} rows, {Accepted} accepted, {Rejected} rejected, {Mqls} MQLs")]
    public static partial void ImportChunkProcessed(this ILogger logger, Echoed importId, int chunk, int rows, int accepted, int rejected, int mqls);

    [LoggerMessage(1205, LogLevel.Information, "Batch {BatchId} of import {ImportId}: {HandedOff} handed off, {DeadLettered} dead-lettered, {Retried} sent again, {Alone} sent alone, {Skipped} needed no handoff")]
    public static partial void BatchHandedOff(this ILogger logger, Echoed importId, Echoed batchId, int handedOff, int deadLettered, int retried, int alone, int skipped);

    [LoggerMessage(1206, LogLevel.Information, "Batch {BatchId} of import {ImportId} waits until {VisibleAt}: {Reason}")]
    public static partial void BatchDeferred(this ILogger logger, Echoed importId, Echoed batchId, DateTimeOffset visibleAt, Echoed reason);

    [LoggerMessage(1207, LogLevel.Warning, "Lead {LeadId} of batch {BatchId} refused by {Provider}; dead-lettered alone")]
    public static partial void BatchRecordRefused(this ILogger logger, Echoed leadId, Echoed batchId, Echoed provider);

    [LoggerMessage(1208, LogLevel.Warning, "Batch {BatchId} of import {ImportId} failed on its last delivery ({Error}); its {Leads} leads go to the one-lead handoff")]
    public static partial void BatchFellBackToSingle(this ILogger logger, Echoed importId, Echoed batchId, int leads, Echoed error);

    [LoggerMessage(1209, LogLevel.Warning, "Import {ImportId} failed: {Failure}")]
    public static partial void ImportFailed(this ILogger logger, Echoed importId, Echoed failure);
}
