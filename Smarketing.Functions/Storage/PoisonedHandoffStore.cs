using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Storage;

/// <summary>
/// A handoff that <see cref="HandOffMql"/> poisoned itself because it can never succeed as it is: the
/// original message body, kept byte for byte, with the reason.
/// </summary>
public sealed record PoisonEnvelope
{
    public const string EnvelopeKind = "smarketing.handoff-poison";

    public string Kind { get; init; } = EnvelopeKind;

    public int Version { get; init; } = 1;

    public required string Reason { get; init; }

    public string? LeadId { get; init; }

    public string? Provider { get; init; }

    public required string OriginalMessageId { get; init; }

    public required long DequeueCount { get; init; }

    public required DateTimeOffset PoisonedAt { get; init; }

    /// <summary>The original message body, replayed as is.</summary>
    public required string Body { get; init; }
}

/// <summary>One message in <c>mql-handoff-poison</c> as the replay listing shows it (no personal data).</summary>
public sealed record PoisonedHandoff
{
    public required string MessageId { get; init; }

    public string? LeadId { get; init; }

    /// <summary><c>refused</c> when the handoff poisoned it at once (the CRM will never accept it as is); <c>retries-exhausted</c> when the host did after maxDequeueCount failed deliveries.</summary>
    public required string Kind { get; init; }

    public required string Reason { get; init; }

    public string? Provider { get; init; }

    public DateTimeOffset? PoisonedAt { get; init; }

    /// <summary>The lead's status in the ledger now; a lead no longer MQL makes a replay a no-op.</summary>
    public string? LeadStatus { get; init; }

    public int? HandoffFailures { get; init; }
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

    public required bool Truncated { get; init; }
}

/// <summary>
/// The <c>mql-handoff-poison</c> queue: poisons refused handoffs with their reason, lists what is there and
/// re-queues chosen messages onto <c>mql-handoff</c>. A queue can only be peeked 32 messages deep, so listing
/// receives every message under a short lease and makes each visible again at once; a replay sends the
/// original body to <c>mql-handoff</c> before it deletes the poisoned copy, so a crash in between leaves a
/// duplicate (which the handoff's idempotence absorbs), never a loss.
/// </summary>
public sealed class PoisonedHandoffStore(StorageLayout layout, ILeadLedger ledger, TimeProvider timeProvider, ILogger<PoisonedHandoffStore> logger)
{
    public const int MaxScan = 5000;
    private static readonly TimeSpan ScanLease = TimeSpan.FromSeconds(60);

    public async Task PoisonAsync(QueueMessage original, string? leadId, string reason, string? provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(original);
        var envelope = new PoisonEnvelope
        {
            Reason = reason,
            LeadId = leadId,
            Provider = provider,
            OriginalMessageId = original.MessageId,
            DequeueCount = original.DequeueCount,
            PoisonedAt = timeProvider.GetUtcNow(),
            Body = original.Body.ToString(),
        };

        // Never expires: a poisoned lead waits for a person, however long that takes.
        await layout.HandoffPoison.SendMessageAsync(
            JsonSerializer.Serialize(envelope, SmarketingJson.Options),
            visibilityTimeout: null,
            timeToLive: TimeSpan.FromSeconds(-1),
            cancellationToken);
        logger.HandoffPoisoned(original.MessageId, leadId ?? "(unknown)", reason);
    }

    public async Task<(IReadOnlyList<PoisonedHandoff> Items, bool Truncated)> ListAsync(CancellationToken cancellationToken)
    {
        var (received, truncated) = await ReceiveAllAsync(cancellationToken);
        try
        {
            var items = new List<PoisonedHandoff>(received.Count);
            foreach (var message in received)
            {
                items.Add(await DescribeAsync(message, cancellationToken));
            }

            return (items, truncated);
        }
        finally
        {
            await RestoreAsync(received);
        }
    }

    public async Task<ReplayResult> ReplayAsync(ReplaySelection selection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var (received, truncated) = await ReceiveAllAsync(cancellationToken);
        var replayed = new List<PoisonedHandoff>();
        var keep = new List<QueueMessage>();
        try
        {
            foreach (var message in received)
            {
                var described = await DescribeAsync(message, cancellationToken);
                var chosen = selection.All
                    || selection.MessageIds.Contains(message.MessageId)
                    || (described.LeadId is not null && selection.LeadIds.Contains(described.LeadId));
                if (!chosen)
                {
                    keep.Add(message);
                    continue;
                }

                await layout.Handoff.SendMessageAsync(OriginalBody(message), visibilityTimeout: null, timeToLive: QueueHandoffEnqueuer.NeverExpires, cancellationToken: cancellationToken);
                await layout.HandoffPoison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                logger.HandoffReplayed(message.MessageId, described.LeadId ?? "(unknown)");
                replayed.Add(described);
            }
        }
        catch
        {
            // Whatever was not replayed goes back as it was.
            keep.AddRange(received.Where(m => !replayed.Any(r => r.MessageId == m.MessageId) && !keep.Contains(m)));
            throw;
        }
        finally
        {
            await RestoreAsync(keep);
        }

        return new ReplayResult
        {
            Replayed = replayed,
            MessageIdsNotFound = [.. selection.MessageIds.Where(id => !replayed.Any(r => r.MessageId == id))],
            LeadIdsNotFound = [.. selection.LeadIds.Where(id => !replayed.Any(r => r.LeadId == id))],
            Truncated = truncated,
        };
    }

    private async Task<(List<QueueMessage>, bool)> ReceiveAllAsync(CancellationToken cancellationToken)
    {
        var all = new List<QueueMessage>();
        while (all.Count < MaxScan)
        {
            var batch = await layout.HandoffPoison.ReceiveMessagesAsync(32, ScanLease, cancellationToken);
            if (batch.Value.Length == 0)
            {
                return (all, false);
            }

            all.AddRange(batch.Value);
        }

        return (all, true);
    }

    private async Task RestoreAsync(List<QueueMessage> messages)
    {
        foreach (var message in messages)
        {
            // Not the request's token: a cancelled listing must still give every message back.
            await layout.HandoffPoison.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
        }
    }

    private static string OriginalBody(QueueMessage message) =>
        TryEnvelope(message) is { } envelope ? envelope.Body : message.Body.ToString();

    private static PoisonEnvelope? TryEnvelope(QueueMessage message)
    {
        try
        {
            using var document = JsonDocument.Parse(message.Body.ToMemory());
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

    private async Task<PoisonedHandoff> DescribeAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var envelope = TryEnvelope(message);
        string? leadId = envelope?.LeadId;
        string? parseError = null;
        if (envelope is null)
        {
            try
            {
                leadId = HandOffMql.Parse(message.Body).LeadId;
            }
            catch (Smarketing.Core.Handoff.InvalidHandoffMessageException ex)
            {
                parseError = ex.Message;
            }
        }

        var record = string.IsNullOrWhiteSpace(leadId) ? null : await ledger.FindAsync(leadId, cancellationToken);
        var reason = envelope?.Reason
            ?? parseError
            ?? (record?.Handoff.LastError is { } last
                ? $"Failed every delivery; last error: {last}"
                : "Failed every delivery (the ledger has no error recorded for this lead).");
        return new PoisonedHandoff
        {
            MessageId = message.MessageId,
            LeadId = leadId,
            Kind = envelope is null ? "retries-exhausted" : "refused",
            Reason = reason,
            Provider = envelope?.Provider,
            PoisonedAt = envelope?.PoisonedAt ?? message.InsertedOn,
            LeadStatus = record?.Status.ToWire(),
            HandoffFailures = record?.Handoff.Failures,
        };
    }
}

internal static partial class HandoffPoisonLog
{
    [LoggerMessage(310, LogLevel.Warning, "Handoff message {MessageId} of lead {LeadId} poisoned without retry: {Reason}")]
    public static partial void HandoffPoisoned(this ILogger logger, string messageId, string leadId, string reason);

    [LoggerMessage(311, LogLevel.Information, "Poisoned handoff {MessageId} of lead {LeadId} re-queued onto mql-handoff")]
    public static partial void HandoffReplayed(this ILogger logger, string messageId, string leadId);
}
