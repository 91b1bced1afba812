using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The envelope an earlier version wrapped refused handoffs in on <c>mql-handoff-poison</c>; still read, so such
/// messages land in the dead-letter table with their reason.
/// </summary>
public sealed record PoisonEnvelope
{
    public const string EnvelopeKind = "smarketing.handoff-poison";

    public string Kind { get; init; } = EnvelopeKind;

    public required string Reason { get; init; }

    public string? LeadId { get; init; }

    public string? Provider { get; init; }

    public required DateTimeOffset PoisonedAt { get; init; }

    public required string Body { get; init; }
}

/// <summary>One dead-lettered handoff as the table keeps it: the original message body (without contact data) and why.</summary>
internal sealed record DeadLetter
{
    /// <summary><c>refused</c>: the handoff poisoned it at once (the CRM or the message can never succeed as it is).</summary>
    public const string Refused = "refused";

    /// <summary><c>retries-exhausted</c>: its last delivery (maxDequeueCount) failed otherwise than by a state of the CRM.</summary>
    public const string RetriesExhausted = "retries-exhausted";

    /// <summary>The id of the queue message that was dead-lettered; the replay names it.</summary>
    public required string MessageId { get; init; }

    public string? LeadId { get; init; }

    public required string Kind { get; init; }

    public required string Reason { get; init; }

    public string? Provider { get; init; }

    public required DateTimeOffset PoisonedAt { get; init; }

    /// <summary>The original message body, replayed as is.</summary>
    public required string Body { get; init; }
}

/// <summary>One dead-lettered handoff as the listing shows it (no personal data), with its lead's state now.</summary>
public sealed record PoisonedHandoff
{
    public required string MessageId { get; init; }

    public string? LeadId { get; init; }

    /// <summary><see cref="DeadLetter.Refused"/> or <see cref="DeadLetter.RetriesExhausted"/>.</summary>
    public required string Kind { get; init; }

    public required string Reason { get; init; }

    public string? Provider { get; init; }

    public DateTimeOffset? PoisonedAt { get; init; }

    /// <summary>The lead's status in the ledger now; a lead no longer MQL makes a replay a no-op.</summary>
    public string? LeadStatus { get; init; }

    public int? HandoffFailures { get; init; }

    /// <summary>True when the lead was handed off since it was dead-lettered: a replay removes the row and sends nothing.</summary>
    public bool Resolved { get; init; }
}

/// <summary>Which poisoned handoffs to replay.</summary>
public sealed record ReplaySelection
{
    public bool All { get; init; }

    public IReadOnlySet<string> MessageIds { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public IReadOnlySet<string> LeadIds { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

public sealed record ReplayResult
{
    public required IReadOnlyList<PoisonedHandoff> Replayed { get; init; }

    public required IReadOnlyList<string> MessageIdsNotFound { get; init; }

    public required IReadOnlyList<string> LeadIdsNotFound { get; init; }

    /// <summary>Rows whose lead was handed off since: removed, and no message sent.</summary>
    public required IReadOnlyList<PoisonedHandoff> AlreadyHandedOff { get; init; }

    public required bool Truncated { get; init; }
}

/// <summary>
/// The app's own dead letter of handoffs, the table <c>HandoffDeadLetters</c>: rows never expire (a queue message
/// does after 7 days unless told otherwise, and the host's poison copies are not told), and listing or replaying is
/// a table query instead of leasing the poison queue. Refused handoffs and the last failed delivery of any other are
/// written here directly by <see cref="HandOffMql"/>; poison copies the host still makes are moved here by
/// <see cref="RecordPoisonedHandoff"/>. A row whose lead was handed off since is listed as resolved and not replayed.
/// A replay sends the original body to <c>mql-handoff</c> before it deletes the row, so a crash in between leaves
/// a duplicate (which the handoff's idempotence absorbs), never a loss.
/// </summary>
public sealed class PoisonedHandoffStore(StorageLayout layout, ILeadLedger ledger, TimeProvider timeProvider, ILogger<PoisonedHandoffStore> logger)
{
    /// <summary>The most rows one listing or replay-all reads; the answer says when there were more.</summary>
    public const int MaxScan = 5000;

    private const string Partition = "handoff";

    // Table Storage caps a string property at 32K characters; a reason is a sentence, the CRM's echo cut short.
    private const int MaxReasonLength = 4000;

    /// <summary>Dead-letters a handoff the pipeline refused: it can never succeed as it is.</summary>
    public Task PoisonAsync(QueueMessage original, string? leadId, string reason, string? provider, CancellationToken cancellationToken) =>
        DeadLetterAsync(original, leadId, DeadLetter.Refused, reason, provider, cancellationToken);

    /// <summary>
    /// Dead-letters a handoff whose last delivery (the host's <c>maxDequeueCount</c>) failed otherwise than by a state of
    /// the CRM, so the host completes it instead of moving it to the poison queue, where it would expire.
    /// </summary>
    public Task RecordRetriesExhaustedAsync(QueueMessage original, string? leadId, string reason, CancellationToken cancellationToken) =>
        DeadLetterAsync(original, leadId, DeadLetter.RetriesExhausted, reason, provider: null, cancellationToken);

    /// <summary>
    /// Dead-letters one lead of a handoff batch that the CRM refused, alone, with its reason: the body is the lead's
    /// one-lead handoff message (no contact data), so a replay hands it off through the single-lead queue.
    /// </summary>
    public Task PoisonBatchRecordAsync(string messageId, Core.Contracts.HandoffMessage message, string reason, string? provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WriteAsync(
            new DeadLetter
            {
                MessageId = messageId,
                LeadId = message.LeadId,
                Kind = DeadLetter.Refused,
                Reason = reason,
                Provider = provider,
                PoisonedAt = timeProvider.GetUtcNow(),
                Body = JsonSerializer.Serialize(message, SmarketingJson.Options),
            },
            cancellationToken);
    }

    // A message the app dead-letters itself, as it was delivered, stamped now.
    private async Task DeadLetterAsync(QueueMessage original, string? leadId, string kind, string reason, string? provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(original);
        await WriteAsync(
            new DeadLetter
            {
                MessageId = original.MessageId,
                LeadId = leadId,
                Kind = kind,
                Reason = reason,
                Provider = provider,
                PoisonedAt = timeProvider.GetUtcNow(),
                Body = original.Body.ToString(),
            },
            cancellationToken);
    }

    /// <summary>
    /// Records a message the host moved to <c>mql-handoff-poison</c> after its last failed delivery, with the lead's last
    /// handoff error as the reason. Writing the same poison message again rewrites the same row.
    /// </summary>
    public async Task RecordHostPoisonedAsync(QueueMessage poisoned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poisoned);
        if (TryEnvelope(poisoned.Body) is { } envelope)
        {
            await WriteAsync(
                new DeadLetter
                {
                    MessageId = poisoned.MessageId,
                    LeadId = envelope.LeadId,
                    Kind = DeadLetter.Refused,
                    Reason = envelope.Reason,
                    Provider = envelope.Provider,
                    PoisonedAt = envelope.PoisonedAt,
                    Body = envelope.Body,
                },
                cancellationToken);
            return;
        }

        string? leadId = null;
        string? parseError = null;
        try
        {
            leadId = HandOffMql.Parse(poisoned.Body).LeadId;
        }
        catch (Core.Handoff.InvalidHandoffMessageException ex)
        {
            parseError = ex.Message;
        }

        var record = string.IsNullOrWhiteSpace(leadId) ? null : await ledger.FindAsync(leadId, cancellationToken);
        await WriteAsync(
            new DeadLetter
            {
                MessageId = poisoned.MessageId,
                LeadId = leadId,
                Kind = DeadLetter.RetriesExhausted,
                Reason = parseError ?? (record?.Handoff.LastError is { } last
                    ? $"Failed every delivery; last error: {last}"
                    : "Failed every delivery (the ledger has no error recorded for this lead)."),
                Provider = null,
                PoisonedAt = poisoned.InsertedOn ?? timeProvider.GetUtcNow(),
                Body = poisoned.Body.ToString(),
            },
            cancellationToken);
    }

    public async Task<(IReadOnlyList<PoisonedHandoff> Items, bool Truncated)> ListAsync(CancellationToken cancellationToken)
    {
        var (rows, truncated) = await ScanAsync(cancellationToken);
        var items = new List<PoisonedHandoff>(rows.Count);
        foreach (var (letter, _) in rows)
        {
            items.Add(await DescribeAsync(letter, cancellationToken));
        }

        return (items, truncated);
    }

    public async Task<ReplayResult> ReplayAsync(ReplaySelection selection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var truncated = false;
        var chosen = new Dictionary<string, (DeadLetter Letter, ETag ETag)>(StringComparer.Ordinal);
        if (selection.All)
        {
            (var rows, truncated) = await ScanAsync(cancellationToken);
            foreach (var row in rows)
            {
                chosen[row.Letter.MessageId] = row;
            }
        }

        foreach (var messageId in selection.MessageIds)
        {
            var row = await layout.HandoffDeadLetters.GetEntityIfExistsAsync<TableEntity>(Partition, TableKeys.Encode(messageId), cancellationToken: cancellationToken);
            if (row.HasValue)
            {
                chosen[messageId] = (FromEntity(row.Value!), row.Value!.ETag);
            }
        }

        foreach (var leadId in selection.LeadIds)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and LeadId eq {leadId}");
            await foreach (var entity in layout.HandoffDeadLetters.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                chosen[FromEntity(entity).MessageId] = (FromEntity(entity), entity.ETag);
            }
        }

        var replayed = new List<PoisonedHandoff>();
        var resolved = new List<PoisonedHandoff>();
        foreach (var (letter, etag) in chosen.Values.OrderBy(r => r.Letter.PoisonedAt))
        {
            var described = await DescribeAsync(letter, cancellationToken);
            if (described.Resolved)
            {
                await DeleteAsync(letter, etag, cancellationToken);
                logger.DeadLetterResolved(letter.MessageId, letter.LeadId ?? "(unknown)");
                resolved.Add(described);
                continue;
            }

            await layout.Handoff.SendMessageAsync(HandoffBodies.WithoutContactData(letter.Body), visibilityTimeout: null, timeToLive: QueueHandoffEnqueuer.NeverExpires, cancellationToken: cancellationToken);
            try
            {
                await layout.HandoffDeadLetters.DeleteEntityAsync(Partition, TableKeys.Encode(letter.MessageId), etag, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // A concurrent replay took it first; the extra message is absorbed by the handoff's idempotence.
            }

            logger.HandoffReplayed(letter.MessageId, letter.LeadId ?? "(unknown)");
            replayed.Add(described);
        }

        return new ReplayResult
        {
            Replayed = replayed,
            MessageIdsNotFound = [.. selection.MessageIds.Where(id => !chosen.ContainsKey(id))],
            LeadIdsNotFound = [.. selection.LeadIds.Where(id => !replayed.Any(r => r.LeadId == id) && !resolved.Any(r => r.LeadId == id))],
            AlreadyHandedOff = resolved,
            Truncated = truncated,
        };
    }

    /// <summary>How many rows the dead letters hold (counted up to <see cref="MaxScan"/>; the second value is true when there were more).</summary>
    public async Task<(int Count, bool Truncated)> CountAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var _ in layout.HandoffDeadLetters.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            if (count == MaxScan)
            {
                return (count, true);
            }

            count++;
        }

        return (count, false);
    }

    private async Task DeleteAsync(DeadLetter letter, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await layout.HandoffDeadLetters.DeleteEntityAsync(Partition, TableKeys.Encode(letter.MessageId), etag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // A concurrent replay took it first.
        }
    }

    private async Task WriteAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        var reason = letter.Reason.Length > MaxReasonLength ? letter.Reason[..MaxReasonLength] : letter.Reason;
        await layout.HandoffDeadLetters.UpsertEntityAsync(
            new TableEntity(Partition, TableKeys.Encode(letter.MessageId))
            {
                ["MessageId"] = letter.MessageId,
                ["LeadId"] = letter.LeadId,
                ["Kind"] = letter.Kind,
                ["Reason"] = reason,
                ["Provider"] = letter.Provider,
                ["PoisonedAt"] = letter.PoisonedAt,

                // Binary: a queue message may hold more characters than a string property takes. A version 1 message's
                // contact data is not kept: the replayed handoff reads it from the ledger.
                ["Body"] = System.Text.Encoding.UTF8.GetBytes(HandoffBodies.WithoutContactData(letter.Body)),
            },
            TableUpdateMode.Replace,
            cancellationToken);
        logger.HandoffPoisoned(letter.MessageId, letter.LeadId ?? "(unknown)", letter.Kind, reason);
    }

    private async Task<(List<(DeadLetter Letter, ETag ETag)> Rows, bool Truncated)> ScanAsync(CancellationToken cancellationToken)
    {
        var rows = new List<(DeadLetter, ETag)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var entity in layout.HandoffDeadLetters.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (rows.Count == MaxScan)
            {
                return (Sorted(rows), true);
            }

            rows.Add((FromEntity(entity), entity.ETag));
        }

        return (Sorted(rows), false);

        static List<(DeadLetter Letter, ETag ETag)> Sorted(List<(DeadLetter Letter, ETag ETag)> rows) =>
            [.. rows.OrderBy(r => r.Letter.PoisonedAt).ThenBy(r => r.Letter.MessageId, StringComparer.Ordinal)];
    }

    private static DeadLetter FromEntity(TableEntity entity) => new()
    {
        MessageId = entity.GetString("MessageId"),
        LeadId = entity.GetString("LeadId"),
        Kind = entity.GetString("Kind"),
        Reason = entity.GetString("Reason"),
        Provider = entity.GetString("Provider"),
        PoisonedAt = entity.GetDateTimeOffset("PoisonedAt") ?? DateTimeOffset.MinValue,
        Body = System.Text.Encoding.UTF8.GetString(entity.GetBinary("Body") ?? []),
    };

    private static PoisonEnvelope? TryEnvelope(BinaryData body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToMemory());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("kind", out var kind)
                && kind.ValueEquals(PoisonEnvelope.EnvelopeKind)
                ? document.RootElement.Deserialize<PoisonEnvelope>(SmarketingJson.Options)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Handed off since (by a replay, a resumed handoff or a duplicate message) and not waiting for another handoff.
    private static bool IsResolved(Lead? lead) =>
        lead is not null && lead.Handoff.HandedOffAt is not null && !(lead.Status == LeadStatus.Mql && lead.Handoff.Pending);

    private async Task<PoisonedHandoff> DescribeAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        var record = string.IsNullOrWhiteSpace(letter.LeadId) ? null : await ledger.FindAsync(letter.LeadId, cancellationToken);
        return new PoisonedHandoff
        {
            MessageId = letter.MessageId,
            LeadId = letter.LeadId,
            Kind = letter.Kind,
            Reason = letter.Reason,
            Provider = letter.Provider,
            PoisonedAt = letter.PoisonedAt,
            LeadStatus = record?.Status.ToWire(),
            HandoffFailures = record?.Handoff.Failures,
            Resolved = IsResolved(record),
        };
    }
}
