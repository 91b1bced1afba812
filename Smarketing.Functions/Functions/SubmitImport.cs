using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff;
using Smarketing.Core.Imports;
using Smarketing.Functions.Http;
using Smarketing.Functions.LeadImports;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/imports</c>: a lead list as the body (CSV, <c>text/csv</c>; or JSON Lines, <c>application/x-ndjson</c>), up
/// to <c>Imports:MaxBytes</c>, with an optional column mapping (<c>?mapping=Column=field;...</c>, or the name of a saved
/// <c>Imports:Mappings:{name}</c>). The header is checked before anything is stored; then the upload is stored as a blob,
/// the import recorded and its split queued, all before the 202 with the import id and its <c>Location</c>. The import id
/// comes from the <c>Idempotency-Key</c> header when sent, else from the content and the mapping: the same upload sent
/// again is the same import (200, <c>duplicate: true</c>), never processed twice; a key sent again with another file is
/// refused with 409.
/// </summary>
public sealed class SubmitImport(AdminAccess access, ImportStore store, IOptions<ImportOptions> options, TimeProvider timeProvider, ILogger<SubmitImport> logger)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    [Function(nameof(SubmitImport))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "imports")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        var format = ImportFormats.FromContentType(request.ContentType);
        if (format is null)
        {
            return Problems.UnsupportedMediaType(
                $"Send the list as text/csv (UTF-8, a header row first) or as JSON Lines (application/x-ndjson), not '{SensitiveText.Echo(request.ContentType) ?? "(none)"}'.");
        }

        var (mappingText, mapping, mappingProblem) = Mapping(request.Query["mapping"].FirstOrDefault());
        if (mappingProblem is not null)
        {
            return mappingProblem;
        }

        var key = request.Headers[IdempotencyKeyHeader].FirstOrDefault();
        if (key is not null && (key.Length is 0 or > 255 || key.Any(char.IsControl)))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key.", "The Idempotency-Key header must be 1 to 255 characters without control characters.");
        }

        var max = options.Value.MaxBytes;
        if (request.ContentLength > max)
        {
            return Problems.TooLarge($"An import may have at most {max} bytes; split the list into smaller files.");
        }

        // On local disk first, hashing on the way: the whole file is never held in memory.
        var path = Path.Combine(Path.GetTempPath(), "smarketing-import-" + Guid.NewGuid().ToString("N"));
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            total += read;
            if (total > max)
            {
                return Problems.TooLarge($"An import may have at most {max} bytes; split the list into smaller files.");
            }

            sha.AppendData(chunk, 0, read);
            await file.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        if (total == 0)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "The import is empty.", "Send the list as the request body.");
        }

        file.Position = 0;
        var header = ImportReader.ReadHeader(file, format.Value, mapping!, out var headerError);
        if (header is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "The list cannot be imported.", headerError ?? "The first row cannot be read.");
        }

        var contentHash = Convert.ToHexStringLower(sha.GetHashAndReset());
        var formatName = format == ImportFormat.JsonLines ? "jsonl" : "csv";
        var keyHash = key is null ? null : Hash("key\n" + key);
        var importId = "imp-" + (keyHash ?? Hash($"content\n{contentHash}\n{formatName}\n{mappingText}"))[..26];

        return await StorageFailure.AnswerAsync(
            async () =>
            {
                var existing = await store.FindAsync(importId, cancellationToken);
                if (existing is null)
                {
                    file.Position = 0;
                    await store.UploadSourceAsync(importId, file, cancellationToken);
                    (var added, existing) = await store.AddAsync(
                        new ImportSummary
                        {
                            ImportId = importId,
                            State = ImportStates.Received,
                            Format = formatName,
                            Mapping = mappingText,
                            ContentSha256 = contentHash,
                            IdempotencyKeyHash = keyHash,
                            Bytes = total,
                            ReceivedAt = timeProvider.GetUtcNow(),
                        },
                        cancellationToken);
                    if (added)
                    {
                        await store.SendWorkAsync(new ImportWork { ImportId = importId, Kind = ImportWork.Split }, cancellationToken);
                        logger.ImportReceived(importId, total, formatName);
                        return Answer(StatusCodes.Status202Accepted, existing, duplicate: false, header);
                    }
                }

                if (existing.ContentSha256 != contentHash)
                {
                    return Problems.Create(
                        StatusCodes.Status409Conflict,
                        "The Idempotency-Key belongs to another file.",
                        $"Import '{importId}' was made with this Idempotency-Key from a different file; send a new key for a new file.");
                }

                // The same import again. One whose split was never queued (the process died after recording it) is queued
                // now; the split is idempotent, so a second message changes nothing.
                if (existing.State == ImportStates.Received)
                {
                    await store.SendWorkAsync(new ImportWork { ImportId = importId, Kind = ImportWork.Split }, cancellationToken);
                }

                return Answer(StatusCodes.Status200OK, existing, duplicate: true, header);
            },
            "The import was not accepted",
            "send it again");
    }

    private (string? Text, ImportMapping? Mapping, IActionResult? Problem) Mapping(string? parameter)
    {
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return (null, ImportMapping.Default, null);
        }

        var text = parameter;
        if (!parameter.Contains('=', StringComparison.Ordinal))
        {
            if (!options.Value.Mappings.TryGetValue(parameter.Trim(), out var saved))
            {
                var names = options.Value.Mappings.Count == 0 ? "none is configured" : "configured: " + string.Join(", ", options.Value.Mappings.Keys.Order(StringComparer.Ordinal));
                return (null, null, Problems.Create(StatusCodes.Status400BadRequest, "Unknown mapping.", $"'{SensitiveText.Echo(parameter)}' is neither a mapping (Column=field;...) nor a saved mapping ({names})."));
            }

            text = saved;
        }

        var mapping = ImportMapping.TryParse(text, out var errors);
        return mapping is null
            ? (null, null, Problems.Create(StatusCodes.Status400BadRequest, "Invalid mapping.", string.Join(" ", errors), new Dictionary<string, string[]> { ["mapping"] = [.. errors] }))
            : (text, mapping, null);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static JsonBodyResult Answer(int status, ImportSummary import, bool duplicate, ImportHeader header)
    {
        var result = new JsonBodyResult(status, new
        {
            import.ImportId,
            import.State,
            Duplicate = duplicate,
            Columns = header.Columns.Select((c, i) => new { Column = c, Field = header.Fields[i] }),
            header.Ignored,
            Location = $"/api/imports/{import.ImportId}",
        });
        result.Headers["Location"] = $"/api/imports/{import.ImportId}";
        return result;
    }
}
