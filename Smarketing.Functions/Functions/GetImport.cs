using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Handoff;
using Smarketing.Functions.Http;
using Smarketing.Functions.LeadImports;

namespace Smarketing.Functions;

/// <summary>
/// <c>GET /api/imports/{importId}</c>: the import's state and counts (rows, accepted, rejected, MQLs, handed off,
/// dead-lettered, sent to the one-lead handoff), when it started and finished, its rate and an estimate of the time left;
/// <c>GET /api/imports/{importId}/rejected</c>: the rejected rows as CSV (row, field, problem), to fix and upload again.
/// </summary>
public sealed class GetImport(AdminAccess access, ImportStore store, TimeProvider timeProvider)
{
    [Function(nameof(GetImport))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "imports/{importId}")] HttpRequest request,
        string importId,
        CancellationToken cancellationToken)
    {
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        return await StorageFailure.AnswerAsync(
            async () =>
            {
                var import = await store.FindAsync(importId, cancellationToken);
                if (import is null)
                {
                    return Unknown(importId);
                }

                var (chunks, batches) = await store.ReadProgressAsync(importId, cancellationToken);
                return new JsonBodyResult(StatusCodes.Status200OK, ImportProgress.Of(import, chunks, batches, timeProvider.GetUtcNow()));
            },
            "The import could not be read",
            "try again");
    }

    [Function("GetImportRejections")]
    public async Task<IActionResult> Rejected(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "imports/{importId}/rejected")] HttpRequest request,
        string importId,
        CancellationToken cancellationToken)
    {
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        return await StorageFailure.AnswerAsync(
            async () => await store.FindAsync(importId, cancellationToken) is null
                ? Unknown(importId)
                : new RejectedRowsCsvResult(store.ReadRejectionsAsync(importId, cancellationToken), $"{importId}-rejected.csv"),
            "The rejected rows could not be read",
            "try again");
    }

    private static JsonBodyResult Unknown(string importId) =>
        Problems.Create(StatusCodes.Status404NotFound, "Unknown import.", $"There is no import '{SensitiveText.Echo(importId)}'.");
}

/// <summary>What <c>GET /api/imports/{id}</c> answers.</summary>
public sealed record ImportProgress
{
    public required string ImportId { get; init; }

    public required string State { get; init; }

    public long? Rows { get; init; }

    public required long RowsProcessed { get; init; }

    public required long Accepted { get; init; }

    public required long Rejected { get; init; }

    public required long Duplicates { get; init; }

    public required long Mqls { get; init; }

    public required long HandedOff { get; init; }

    public required long DeadLettered { get; init; }

    /// <summary>MQLs sent to the one-lead handoff (a record the batch could not settle); they reach SAL or the dead letters there.</summary>
    public required long SentAlone { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public double? RowsPerSecond { get; init; }

    public double? EstimatedSecondsLeft { get; init; }

    public string? Failure { get; init; }

    /// <summary>Sums the chunk and batch rows into the import's progress.</summary>
    public static ImportProgress Of(ImportSummary import, IReadOnlyList<ChunkCounts> chunks, IReadOnlyList<BatchCounts> batches, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(batches);
        var processed = chunks.Sum(c => (long)c.Rows);
        var mqls = chunks.Sum(c => (long)c.Mqls);
        var handedOff = Math.Min(batches.Sum(b => (long)b.HandedOff), mqls);
        var deadLettered = batches.Sum(b => (long)b.DeadLettered);
        var alone = batches.Sum(b => (long)b.SentAlone);
        var skipped = batches.Sum(b => (long)b.Skipped);
        var allChunks = import.Chunks is { } count && chunks.Count >= count;
        var settled = handedOff + deadLettered + alone + skipped >= mqls;
        var state = import.State;
        DateTimeOffset? finishedAt = null;
        if (state is ImportStates.Processing && import.Failure is null)
        {
            state = !allChunks ? ImportStates.Processing : settled ? ImportStates.Finished : ImportStates.HandingOff;
            if (state == ImportStates.Finished)
            {
                finishedAt = chunks.Select(c => c.ProcessedAt).Concat(batches.Select(b => b.UpdatedAt)).DefaultIfEmpty(now).Max();
            }
        }

        double? rate = null;
        double? left = null;
        if (import.StartedAt is { } started && processed > 0)
        {
            var elapsed = ((finishedAt ?? now) - started).TotalSeconds;
            if (elapsed > 0)
            {
                rate = Math.Round(processed / elapsed, 1);
                var remainingRows = (import.Rows ?? processed) - processed;
                var remainingHandoffs = mqls - handedOff - deadLettered - alone - skipped;
                var handoffRate = handedOff / elapsed;
                left = state == ImportStates.Finished ? 0 : Math.Round(Math.Max(remainingRows / rate.Value, handoffRate > 0 ? remainingHandoffs / handoffRate : 0), 1);
            }
        }

        return new ImportProgress
        {
            ImportId = import.ImportId,
            State = state,
            Rows = import.Rows,
            RowsProcessed = processed,
            Accepted = chunks.Sum(c => (long)c.Accepted),
            Rejected = chunks.Sum(c => (long)c.Rejected),
            Duplicates = chunks.Sum(c => (long)c.Duplicates),
            Mqls = mqls,
            HandedOff = handedOff,
            DeadLettered = deadLettered,
            SentAlone = alone,
            ReceivedAt = import.ReceivedAt,
            StartedAt = import.StartedAt,
            FinishedAt = finishedAt,
            RowsPerSecond = rate,
            EstimatedSecondsLeft = left,
            Failure = import.Failure,
        };
    }
}

/// <summary>
/// The rejected rows of an import as CSV (<c>row,field,problem</c>), streamed; cells are neutralised against spreadsheet
/// formulas as the feedback export's are.
/// </summary>
public sealed class RejectedRowsCsvResult(IAsyncEnumerable<ImportRejection> rows, string fileName) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true))
        {
            csv.WriteField("row");
            csv.WriteField("field");
            csv.WriteField("problem");
            await csv.NextRecordAsync();
            await foreach (var rejection in rows.WithCancellation(http.RequestAborted))
            {
                csv.WriteField(rejection.Row);
                csv.WriteField(Core.Feedback.FeedbackCsv.Neutralize(rejection.Field));
                csv.WriteField(Core.Feedback.FeedbackCsv.Neutralize(rejection.Problem));
                await csv.NextRecordAsync();
            }
        }

        await writer.FlushAsync(http.RequestAborted);
    }
}
