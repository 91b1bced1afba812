using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Storage;

/// <summary>What an erasure did.</summary>
public sealed record ErasureResult
{
    public required string LeadId { get; init; }

    /// <summary>False when the ledger has never seen the lead: nothing was erased.</summary>
    public required bool Found { get; init; }

    /// <summary>True when an earlier erasure had already removed everything: this one changed nothing.</summary>
    public required bool AlreadyErased { get; init; }

    public DateTimeOffset? ErasedAt { get; init; }

    /// <summary>Where this erasure removed contact data: <c>ledger</c>, <c>history</c>, <c>feedback</c>, <c>sandbox-crm</c>, <c>dead-letters</c>.</summary>
    public IReadOnlyList<string> Erased { get; init; } = [];
}

/// <summary>
/// Erases a person's contact data from every table that may hold it (a GDPR Art. 17 / CCPA deletion request): the
/// ledger row (<see cref="Lead.Erase"/>: e-mail, phone, notes, last handoff error; the pending handoff ends), the lead's
/// history rows (notes), its <c>DisqualificationFeedback</c> rows (notes), the sandbox CRM's record (e-mail, phone) and
/// its dead letters (a version 1 message body's e-mail and phone). Status, campaign, scores, owner, CRM ids and times stay,
/// so the funnel counts do not change. Each erasure that removed something writes a row to <c>ErasureAudit</c> (lead id,
/// when, who, what; no contact data). Every step is safe to repeat: a second erasure finds nothing and says so, and a
/// first erasure interrupted half-way is finished by the next.
/// </summary>
public sealed class LeadEraser(StorageLayout layout, ILeadLedger ledger, TimeProvider timeProvider, ILogger<LeadEraser> logger)
{
    private const string HistoryPrefix = "history-";

    public async Task<ErasureResult> EraseAsync(string leadId, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leadId);
        ArgumentNullException.ThrowIfNull(requestedBy);
        var now = timeProvider.GetUtcNow();

        // The audit row is written before anything is erased, so a request that fails half-way (and whose retry then finds
        // little or nothing left) is still on record as started; it is completed with what was removed at the end.
        var audit = new TableEntity(TableKeys.Encode(leadId), $"{DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks:D19}-{Guid.NewGuid():N}")
        {
            ["LeadId"] = leadId,
            ["ErasedAt"] = now,
            ["ErasedBy"] = requestedBy,
            ["Status"] = "started",
        };
        await layout.ErasureAudit.AddEntityAsync(audit, cancellationToken);
        var (found, changed, erasedAt) = await ledger.UpdateAsync(
            leadId,
            current => current is null
                ? LedgerDecision.Keep<(bool, bool, DateTimeOffset?)>((false, false, null))
                : current.Erase(now)
                    ? LedgerDecision.Save<(bool, bool, DateTimeOffset?)>(current, (true, true, current.ErasedAt))
                    : LedgerDecision.Keep<(bool, bool, DateTimeOffset?)>((true, false, current.ErasedAt)),
            cancellationToken);
        if (!found)
        {
            // Nothing to erase, nothing to audit.
            await layout.ErasureAudit.DeleteEntityAsync(audit.PartitionKey, audit.RowKey, ETag.All, cancellationToken);
            return new ErasureResult { LeadId = leadId, Found = false, AlreadyErased = false };
        }

        var erased = new List<string>();
        if (changed)
        {
            erased.Add("ledger");
        }

        if (await EraseHistoryRowsAsync(leadId, cancellationToken) > 0)
        {
            erased.Add("history");
        }

        if (await EraseColumnsAsync(layout.DisqualificationFeedback, TableClient.CreateQueryFilter($"LeadId eq {leadId}"), ["Note"], cancellationToken) > 0)
        {
            erased.Add("feedback");
        }

        if (await EraseColumnsAsync(layout.SandboxCrm, TableClient.CreateQueryFilter($"PartitionKey eq {TableSandboxCrmStore.PartitionKey} and RowKey eq {TableKeys.Encode(leadId)}"), ["Email", "Phone"], cancellationToken) > 0)
        {
            erased.Add("sandbox-crm");
        }

        if (await EraseDeadLettersAsync(leadId, cancellationToken) > 0)
        {
            erased.Add("dead-letters");
        }

        if (erased.Count > 0)
        {
            audit["Erased"] = string.Join(',', erased);
            audit["Status"] = "completed";
            await layout.ErasureAudit.UpdateEntityAsync(audit, ETag.All, TableUpdateMode.Replace, cancellationToken);
            logger.LeadErased(leadId, string.Join(',', erased));
        }
        else
        {
            // Already erased by an earlier request, which has its own row: this one changed nothing.
            await layout.ErasureAudit.DeleteEntityAsync(audit.PartitionKey, audit.RowKey, ETag.All, cancellationToken);
        }

        return new ErasureResult { LeadId = leadId, Found = true, AlreadyErased = erased.Count == 0, ErasedAt = erasedAt, Erased = erased };
    }

    // Every history row of the lead, those past the ledger row's count (a lost save's) included.
    private async Task<int> EraseHistoryRowsAsync(string leadId, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Encode(leadId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {HistoryPrefix} and RowKey lt {"history."}");
        var count = 0;
        await foreach (var row in layout.LeadLedger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var entry = JsonSerializer.Deserialize<LifecycleEntry>(row.GetString("Entry") ?? "null", SmarketingJson.Options);
            if (entry?.Note is null)
            {
                continue;
            }

            row["Entry"] = JsonSerializer.Serialize(entry with { Note = null }, SmarketingJson.Options);
            await ReplaceAsync(layout.LeadLedger, row, cancellationToken);
            count++;
        }

        return count;
    }

    private static async Task<int> EraseColumnsAsync(TableClient table, string filter, string[] columns, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var removed = false;
            foreach (var column in columns)
            {
                removed |= row.Remove(column);
            }

            if (removed)
            {
                await ReplaceAsync(table, row, cancellationToken);
                count++;
            }
        }

        return count;
    }

    private async Task<int> EraseDeadLettersAsync(string leadId, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var row in layout.HandoffDeadLetters.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"LeadId eq {leadId}"), cancellationToken: cancellationToken))
        {
            var body = System.Text.Encoding.UTF8.GetString(row.GetBinary("Body") ?? []);
            var scrubbed = HandoffBodies.WithoutContactData(body);
            if (scrubbed != body)
            {
                row["Body"] = System.Text.Encoding.UTF8.GetBytes(scrubbed);
                await ReplaceAsync(layout.HandoffDeadLetters, row, cancellationToken);
                count++;
            }
        }

        return count;
    }

    // Under the row's ETag: a row changed since it was read is not overwritten; the caller is asked to erase again (503).
    private static async Task ReplaceAsync(TableClient table, TableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new LedgerConflictException(row.GetString("LeadId") ?? row.RowKey);
        }
    }
}
