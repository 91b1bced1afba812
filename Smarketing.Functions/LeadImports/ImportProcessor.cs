using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Imports;
using Smarketing.Core.Intake;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.LeadImports;

/// <summary>
/// The work of an import, one queue message at a time. The split streams the stored upload through
/// <see cref="ImportReader"/> and writes it as chunk blobs of <see cref="ImportOptions.ChunkSize"/> rows, each with a
/// message of its own; a split that dies resumes after the last chunk it recorded. A chunk validates every row (a bad row
/// is rejected with every bad field and never stops the others), scores and records the good ones in the ledger under the
/// lifecycle contract (a lead already known is updated as a webhook would update it; each row is a delivery of its own, so
/// a chunk processed twice changes nothing), and sends its MQLs to the handoff in batches of the CRM's size. Memory stays
/// bounded by the chunk size, whatever the file's.
/// </summary>
public sealed class ImportProcessor(
    ImportStore store,
    LeadIntake intake,
    LeadIds ids,
    IBatchCrmClient batchCrm,
    BulkHandoff bulk,
    IOptions<ImportOptions> options,
    TimeProvider timeProvider,
    ILogger<ImportProcessor> logger)
{
    /// <summary>The delivery id of one row of an import: a chunk processed again is a repeated delivery, and changes nothing.</summary>
    public static string DeliveryId(string importId, long row) => $"import:{importId}:{row}";

    public async Task SplitAsync(string importId, CancellationToken cancellationToken)
    {
        var import = await store.FindAsync(importId, cancellationToken);
        if (import is null)
        {
            logger.ImportUnknown(importId);
            return;
        }

        if (import.Chunks is not null || import.State is ImportStates.Failed)
        {
            await bulk.ChunkRecordedAsync(importId, cancellationToken); // In case the split died between its last write and this call.
            return; // Split before: a repeated message.
        }

        var format = import.Format == "jsonl" ? ImportFormat.JsonLines : ImportFormat.Csv;
        var mapping = ImportMapping.TryParse(import.Mapping, out var errors) ?? throw new InvalidOperationException($"The stored mapping of import '{importId}' is invalid: {string.Join(" ", errors)}");
        var now = timeProvider.GetUtcNow();
        string? columns = null;
        await using (var head = await store.SourceBlob(importId).OpenReadAsync(cancellationToken: cancellationToken))
        {
            if (ImportReader.ReadHeader(head, format, mapping, out _) is { } header)
            {
                var byField = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < header.Fields.Count; i++)
                {
                    if (header.Fields[i] is { } field)
                    {
                        byField.TryAdd(field, header.Columns[i]);
                    }
                }

                columns = JsonSerializer.Serialize(byField);
            }
        }

        import = import with { State = ImportStates.Splitting, StartedAt = import.StartedAt ?? now, ColumnsByField = columns };
        await store.UpdateAsync(import, cancellationToken);

        var size = options.Value.ChunkSize;
        var chunk = 0;
        long rows = 0;
        var buffer = new List<Core.Imports.ImportRecord>(size);
        await using (var stream = await store.SourceBlob(importId).OpenReadAsync(cancellationToken: cancellationToken))
        {
            await foreach (var record in ImportReader.ReadAsync(stream, format, mapping, cancellationToken))
            {
                buffer.Add(record);
                rows++;
                if (buffer.Count == size)
                {
                    import = await FlushAsync(import, chunk++, buffer, cancellationToken);
                    buffer.Clear();
                }
            }
        }

        if (buffer.Count > 0)
        {
            import = await FlushAsync(import, chunk++, buffer, cancellationToken);
        }

        import = import with { Rows = rows, Chunks = chunk, State = ImportStates.Processing };
        await store.UpdateAsync(import, cancellationToken);
        await bulk.ChunkRecordedAsync(importId, cancellationToken);
        logger.ImportSplit(importId, rows, chunk);

        // The upload holds contact data; once every row is in a chunk it is not kept (an erasure could not reach it).
        await store.SourceBlob(importId).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    private async Task<ImportSummary> FlushAsync(ImportSummary import, int chunk, List<Core.Imports.ImportRecord> records, CancellationToken cancellationToken)
    {
        if (chunk < import.ChunksWritten)
        {
            return import; // Written and sent by the split this one resumes.
        }

        using var content = new MemoryStream();
        using (var writer = new Utf8JsonWriter(content))
        {
            foreach (var record in records)
            {
                writer.WriteStartObject();
                writer.WriteNumber("row", record.Row);
                if (record.Body is not null)
                {
                    writer.WritePropertyName("body");
                    record.Body.WriteTo(writer);
                }

                if (record.Errors is { IsEmpty: false } errors)
                {
                    writer.WritePropertyName("errors");
                    JsonSerializer.Serialize(writer, errors.ToDictionary());
                }

                writer.WriteEndObject();
                writer.Flush();
                content.WriteByte((byte)'\n');
                writer.Reset(content); // One JSON value per line.
            }
        }

        content.Position = 0;
        await store.ChunkBlob(import.ImportId, chunk).UploadAsync(content, overwrite: true, cancellationToken);
        await store.SendWorkAsync(new ImportWork { ImportId = import.ImportId, Kind = ImportWork.Chunk, ChunkNumber = chunk }, cancellationToken);
        import = import with { ChunksWritten = chunk + 1 };
        await store.UpdateAsync(import, cancellationToken);
        return import;
    }

    public async Task ProcessChunkAsync(string importId, int chunk, CancellationToken cancellationToken)
    {
        var rows = new List<(long Row, JsonObject? Body, Dictionary<string, string[]>? Errors)>();
        try
        {
            var download = await store.ChunkBlob(importId, chunk).DownloadContentAsync(cancellationToken);
            foreach (var line in download.Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var node = JsonNode.Parse(line)!.AsObject();
                rows.Add((
                    node["row"]!.GetValue<long>(),
                    node["body"] as JsonObject,
                    node["errors"]?.Deserialize<Dictionary<string, string[]>>()));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            logger.ImportChunkMissing(importId, chunk);
            return;
        }

        var columns = await ColumnsAsync(importId, cancellationToken);
        var rejections = new ConcurrentBag<ImportRejection>();
        var mqls = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var accepted = 0;
        var duplicates = 0;
        await Parallel.ForEachAsync(
            rows,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken },
            async (row, token) =>
            {
                if (row.Errors is { Count: > 0 } || row.Body is null)
                {
                    foreach (var (field, problems) in row.Errors ?? new Dictionary<string, string[]> { ["row"] = ["The row could not be read."] })
                    {
                        foreach (var problem in problems)
                        {
                            rejections.Add(new ImportRejection(row.Row, Column(columns, field), problem));
                        }
                    }

                    return;
                }

                var submission = LeadSubmissionParser.TryParse(Encoding.UTF8.GetBytes(row.Body.ToJsonString()), ids, out var fieldErrors);
                if (submission is null)
                {
                    foreach (var (field, problems) in fieldErrors.ToDictionary())
                    {
                        foreach (var problem in problems)
                        {
                            rejections.Add(new ImportRejection(row.Row, Column(columns, field), problem));
                        }
                    }

                    return;
                }

                try
                {
                    var result = await intake.RecordForBatchAsync(submission, DeliveryId(importId, row.Row), options.Value.ReconcileAfter, token);
                    Interlocked.Increment(ref accepted);
                    if (result.Duplicate)
                    {
                        Interlocked.Increment(ref duplicates);
                    }

                    if (result.Status == LeadStatus.Mql)
                    {
                        mqls.TryAdd(result.LeadId, 0);
                    }
                }
                catch (LedgerPermanentFailureException ex)
                {
                    rejections.Add(new ImportRejection(row.Row, "lead", ex.Reason));
                }
            });

        await store.RecordRejectionsAsync(importId, [.. rejections.OrderBy(r => r.Row)], cancellationToken);
        var size = options.Value.MaxBatchSize is > 0 and var max ? Math.Min(max, batchCrm.MaxBatchSize) : batchCrm.MaxBatchSize;
        var held = await bulk.HoldChunkAsync(importId, chunk, mqls.Keys, cancellationToken);
        var batch = 0;
        foreach (var leads in mqls.Keys.Where(_ => !held).Order(StringComparer.Ordinal).Chunk(size))
        {
            await store.SendBatchAsync(
                new HandoffBatch { ImportId = importId, BatchId = $"c{chunk:D6}-b{batch++:D3}", LeadIds = leads },
                delay: null,
                cancellationToken);
        }

        var rejectedRows = rejections.Select(r => r.Row).Distinct().Count();
        await store.RecordChunkAsync(importId, chunk, new ChunkCounts(rows.Count, accepted, rejectedRows, mqls.Count, duplicates, timeProvider.GetUtcNow()), cancellationToken);
        await bulk.ChunkRecordedAsync(importId, cancellationToken);
        logger.ImportChunkProcessed(importId, chunk, rows.Count, accepted, rejectedRows, mqls.Count);

        // Its rows are in the ledger now; the chunk's copy of their contact data goes. A repeated message finds no blob and
        // stops (above): the chunk's counts are recorded.
        await store.ChunkBlob(importId, chunk).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    private async Task<Dictionary<string, string>> ColumnsAsync(string importId, CancellationToken cancellationToken) =>
        (await store.FindAsync(importId, cancellationToken))?.ColumnsByField is { } json
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []
            : [];

    // The column the user sees, when the field came from one (a JSON Lines key or a CSV header).
    private static string Column(Dictionary<string, string> columns, string field) =>
        columns.TryGetValue(field, out var column) && !string.Equals(column, field, StringComparison.Ordinal) ? column : field;
}
