using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.LeadImports;

/// <summary>The state of an import.</summary>
public static class ImportStates
{
    public const string Received = "received";
    public const string Splitting = "splitting";
    public const string Processing = "processing";
    public const string HandingOff = "handingOff";
    public const string Finished = "finished";
    public const string Failed = "failed";
}

/// <summary>An import as its summary row holds it.</summary>
public sealed record ImportSummary
{
    public required string ImportId { get; init; }

    public required string State { get; init; }

    public required string Format { get; init; }

    public string? Mapping { get; init; }

    public required string ContentSha256 { get; init; }

    public string? IdempotencyKeyHash { get; init; }

    public required long Bytes { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public long? Rows { get; init; }

    public int? Chunks { get; init; }

    /// <summary>How many chunks the split has written and enqueued so far (a resumed split skips them).</summary>
    public int ChunksWritten { get; init; }

    /// <summary>The upload's column for each lead field (JSON object), so a rejected row names the column the user sees.</summary>
    public string? ColumnsByField { get; init; }

    public string? Failure { get; init; }
}

/// <summary>What one processed chunk counted.</summary>
public sealed record ChunkCounts(int Rows, int Accepted, int Rejected, int Mqls, int Duplicates, DateTimeOffset ProcessedAt);

/// <summary>What one handoff batch counted.</summary>
public sealed record BatchCounts(int Leads, int HandedOff, int DeadLettered, int SentAlone, int Retried, int Skipped, DateTimeOffset UpdatedAt);

/// <summary>One bad field of one row.</summary>
public sealed record ImportRejection(long Row, string Field, string Problem);

/// <summary>
/// Where imports live: the upload and its chunks as blobs in the <c>imports</c> container, the import's summary, chunk
/// and batch rows in the <c>Imports</c> table (partition = import id), the rejected rows in <c>ImportRejections</c>, and
/// the two queues of the work.
/// </summary>
public sealed class ImportStore(BlobServiceClient blobs, TableServiceClient tables, QueueServiceClient queues)
{
    public const string ContainerName = "imports";
    public const string ImportsTable = "Imports";
    public const string RejectionsTable = "ImportRejections";
    private const string SummaryRow = "import";

    public BlobContainerClient Container { get; } = blobs.GetBlobContainerClient(ContainerName);

    public TableClient Imports { get; } = tables.GetTableClient(ImportsTable);

    public TableClient Rejections { get; } = tables.GetTableClient(RejectionsTable);

    public QueueClient Work { get; } = queues.GetQueueClient(ImportWork.QueueName);

    public QueueClient WorkPoison { get; } = queues.GetQueueClient(ImportWork.QueueName + "-poison");

    public QueueClient Batches { get; } = queues.GetQueueClient(HandoffBatch.QueueName);

    public QueueClient BatchesPoison { get; } = queues.GetQueueClient(HandoffBatch.QueueName + "-poison");

    // The blob container is created by the first upload, so an app whose storage has no blob endpoint (a table-and-queue
    // Azurite) still starts; only imports need blobs.
    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Imports.CreateIfNotExistsAsync(cancellationToken),
        Rejections.CreateIfNotExistsAsync(cancellationToken),
        Work.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
        WorkPoison.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
        Batches.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
        BatchesPoison.CreateIfNotExistsAsync(cancellationToken: cancellationToken));

    public BlobClient SourceBlob(string importId) => Container.GetBlobClient($"{importId}/source");

    public BlobClient ChunkBlob(string importId, int chunk) => Container.GetBlobClient($"{importId}/chunks/{chunk.ToString("D6", CultureInfo.InvariantCulture)}.jsonl");

    /// <summary>Stores the upload (the same bytes again overwrite the same blob: the import id is derived from them or from the key).</summary>
    public async Task UploadSourceAsync(string importId, Stream content, CancellationToken cancellationToken)
    {
        await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await SourceBlob(importId).UploadAsync(content, new BlobUploadOptions(), cancellationToken);
    }

    /// <summary>Adds the summary row; false when the import already exists (the existing one is returned).</summary>
    public async Task<(bool Added, ImportSummary Record)> AddAsync(ImportSummary record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await Imports.AddEntityAsync(ToEntity(record), cancellationToken);
            return (true, record);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (false, (await FindAsync(record.ImportId, cancellationToken))!);
        }
    }

    public async Task<ImportSummary?> FindAsync(string importId, CancellationToken cancellationToken)
    {
        var row = await Imports.GetEntityIfExistsAsync<TableEntity>(importId, SummaryRow, cancellationToken: cancellationToken);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    /// <summary>Merges the changed summary fields into the row (the last writer wins; only the split writes them).</summary>
    public Task UpdateAsync(ImportSummary record, CancellationToken cancellationToken) =>
        Imports.UpsertEntityAsync(ToEntity(record), TableUpdateMode.Merge, cancellationToken);

    public Task SendWorkAsync(ImportWork work, CancellationToken cancellationToken) =>
        Work.SendMessageAsync(JsonSerializer.Serialize(work, SmarketingJson.Options), visibilityTimeout: null, timeToLive: QueueHandoffEnqueuer.NeverExpires, cancellationToken: cancellationToken);

    public Task SendBatchAsync(HandoffBatch batch, TimeSpan? delay, CancellationToken cancellationToken) =>
        Batches.SendMessageAsync(
            JsonSerializer.Serialize(batch, SmarketingJson.Options),
            visibilityTimeout: delay is { } d && d > TimeSpan.Zero ? (d > TimeSpan.FromDays(7) ? TimeSpan.FromDays(7) : d) : null,
            timeToLive: QueueHandoffEnqueuer.NeverExpires,
            cancellationToken: cancellationToken);

    public Task RecordChunkAsync(string importId, int chunk, ChunkCounts counts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return Imports.UpsertEntityAsync(
            new TableEntity(importId, ChunkRow(chunk))
            {
                ["Rows"] = counts.Rows,
                ["Accepted"] = counts.Accepted,
                ["Rejected"] = counts.Rejected,
                ["Mqls"] = counts.Mqls,
                ["Duplicates"] = counts.Duplicates,
                ["ProcessedAt"] = counts.ProcessedAt,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public Task RecordBatchAsync(string importId, string batchId, BatchCounts counts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return Imports.UpsertEntityAsync(
            new TableEntity(importId, "batch-" + batchId)
            {
                ["Leads"] = counts.Leads,
                ["HandedOff"] = counts.HandedOff,
                ["DeadLettered"] = counts.DeadLettered,
                ["SentAlone"] = counts.SentAlone,
                ["Retried"] = counts.Retried,
                ["Skipped"] = counts.Skipped,
                ["UpdatedAt"] = counts.UpdatedAt,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    /// <summary>Writes the rejected fields of a chunk (the same rows again overwrite the same entities).</summary>
    public async Task RecordRejectionsAsync(string importId, IReadOnlyList<ImportRejection> rejections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        var entities = new List<TableEntity>(rejections.Count);
        foreach (var group in rejections.GroupBy(r => r.Row))
        {
            var i = 0;
            foreach (var rejection in group)
            {
                entities.Add(new TableEntity(importId, $"{rejection.Row.ToString("D12", CultureInfo.InvariantCulture)}-{(i++).ToString("D3", CultureInfo.InvariantCulture)}")
                {
                    ["Row"] = rejection.Row,
                    ["Field"] = rejection.Field,
                    ["Problem"] = rejection.Problem.Length > 1000 ? rejection.Problem[..1000] : rejection.Problem,
                });
            }
        }

        // One partition per import: entity group transactions of up to 100 upserts.
        foreach (var batch in entities.Chunk(100))
        {
            await Rejections.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        }
    }

    /// <summary>Every rejected field of the import, in row order.</summary>
    public async IAsyncEnumerable<ImportRejection> ReadRejectionsAsync(string importId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {importId}");
        await foreach (var e in Rejections.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return new ImportRejection(e.GetInt64("Row") ?? 0, e.GetString("Field") ?? string.Empty, e.GetString("Problem") ?? string.Empty);
        }
    }

    /// <summary>The chunk and batch rows of the import.</summary>
    public async Task<(List<ChunkCounts> Chunks, List<BatchCounts> Batches)> ReadProgressAsync(string importId, CancellationToken cancellationToken)
    {
        var chunks = new List<ChunkCounts>();
        var batches = new List<BatchCounts>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {importId} and RowKey ne {SummaryRow}");
        await foreach (var e in Imports.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (e.RowKey.StartsWith("chunk-", StringComparison.Ordinal))
            {
                chunks.Add(new ChunkCounts(
                    e.GetInt32("Rows") ?? 0, e.GetInt32("Accepted") ?? 0, e.GetInt32("Rejected") ?? 0, e.GetInt32("Mqls") ?? 0, e.GetInt32("Duplicates") ?? 0, e.GetDateTimeOffset("ProcessedAt") ?? default));
            }
            else if (e.RowKey.StartsWith("batch-", StringComparison.Ordinal))
            {
                batches.Add(new BatchCounts(
                    e.GetInt32("Leads") ?? 0, e.GetInt32("HandedOff") ?? 0, e.GetInt32("DeadLettered") ?? 0, e.GetInt32("SentAlone") ?? 0, e.GetInt32("Retried") ?? 0, e.GetInt32("Skipped") ?? 0, e.GetDateTimeOffset("UpdatedAt") ?? default));
            }
        }

        return (chunks, batches);
    }

    private static string ChunkRow(int chunk) => "chunk-" + chunk.ToString("D6", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(ImportSummary r) => new(r.ImportId, SummaryRow)
    {
        ["State"] = r.State,
        ["Format"] = r.Format,
        ["Mapping"] = r.Mapping,
        ["ContentSha256"] = r.ContentSha256,
        ["IdempotencyKeyHash"] = r.IdempotencyKeyHash,
        ["Bytes"] = r.Bytes,
        ["ReceivedAt"] = r.ReceivedAt,
        ["StartedAt"] = r.StartedAt,
        ["Rows"] = r.Rows,
        ["Chunks"] = r.Chunks,
        ["ChunksWritten"] = r.ChunksWritten,
        ["Failure"] = r.Failure,
        ["ColumnsByField"] = r.ColumnsByField,
    };

    private static ImportSummary FromEntity(TableEntity e) => new()
    {
        ImportId = e.PartitionKey,
        State = e.GetString("State") ?? ImportStates.Received,
        Format = e.GetString("Format") ?? "csv",
        Mapping = e.GetString("Mapping"),
        ContentSha256 = e.GetString("ContentSha256") ?? string.Empty,
        IdempotencyKeyHash = e.GetString("IdempotencyKeyHash"),
        Bytes = e.GetInt64("Bytes") ?? 0,
        ReceivedAt = e.GetDateTimeOffset("ReceivedAt") ?? default,
        StartedAt = e.GetDateTimeOffset("StartedAt"),
        Rows = e.GetInt64("Rows"),
        Chunks = e.GetInt32("Chunks"),
        ChunksWritten = e.GetInt32("ChunksWritten") ?? 0,
        Failure = e.GetString("Failure"),
        ColumnsByField = e.GetString("ColumnsByField"),
    };
}
