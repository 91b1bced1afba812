using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Storage;

/// <summary>
/// Territory rules, then round-robin over the pool's active reps, with one cursor per pool in Table Storage
/// advanced under an ETag, so every instance shares one fair rotation. Within an instance the calls for a
/// pool take turns and reuse the last ETag they wrote, so a burst of handoffs costs one storage write each
/// instead of a storm of conflicting ones; another instance's write shows up as a 412 and a fresh read.
/// </summary>
public sealed class TableRoundRobinOwnerAssigner(StorageLayout layout, OwnerRouting routing, ILogger<TableRoundRobinOwnerAssigner> logger)
    : IOwnerAssigner, IDisposable
{
    public const string PartitionKey = "round-robin";
    private const int MaxAttempts = 50;
    private readonly ConcurrentDictionary<string, Cursor> _cursors = new(StringComparer.Ordinal);

    /// <summary>The cursor row of a pool: <c>cursor</c> for the default pool, <c>territory-{name}</c> for a territory.</summary>
    public static string RowKey(string pool) =>
        pool == RepPool.DefaultName ? "cursor" : "territory-" + TableKeys.Encode(pool);

    public async Task<string> AssignAsync(OwnerAssignmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pool = routing.Select(request);
        var slot = await TakeSlotAsync(pool.Name, cancellationToken);
        var rep = pool.Reps[(int)(slot % pool.Reps.Count)];
        logger.OwnerRouted(request.LeadId, pool.Name, rep);
        return rep;
    }

    public void Dispose()
    {
        foreach (var cursor in _cursors.Values)
        {
            cursor.Lock.Dispose();
        }
    }

    private async Task<long> TakeSlotAsync(string pool, CancellationToken cancellationToken)
    {
        var cursor = _cursors.GetOrAdd(pool, _ => new Cursor());
        var table = layout.OwnerAssignment;
        var rowKey = RowKey(pool);
        await cursor.Lock.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (cursor.ETag is null)
                {
                    var stored = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, rowKey, cancellationToken: cancellationToken);
                    if (!stored.HasValue)
                    {
                        try
                        {
                            var added = await table.AddEntityAsync(new TableEntity(PartitionKey, rowKey) { ["Next"] = 1L }, cancellationToken);
                            (cursor.Next, cursor.ETag) = (1, added.Headers.ETag);
                            return 0;
                        }
                        catch (RequestFailedException ex) when (ex.Status == 409 && attempt < MaxAttempts)
                        {
                            // Another instance created it first.
                            continue;
                        }
                    }

                    (cursor.Next, cursor.ETag) = (stored.Value!.GetInt64("Next") ?? 0, stored.Value.ETag);
                }

                var slot = cursor.Next;
                try
                {
                    var updated = await table.UpdateEntityAsync(
                        new TableEntity(PartitionKey, rowKey) { ["Next"] = slot + 1 },
                        cursor.ETag.Value,
                        TableUpdateMode.Replace,
                        cancellationToken);
                    (cursor.Next, cursor.ETag) = (slot + 1, updated.Headers.ETag);
                    return slot;
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412 && attempt < MaxAttempts)
                {
                    // Another instance took this slot; read the cursor again.
                    cursor.ETag = null;
                    await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempt, 10)), cancellationToken);
                }
            }
        }
        finally
        {
            cursor.Lock.Release();
        }
    }

    private sealed class Cursor
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public long Next { get; set; }

        public ETag? ETag { get; set; }
    }
}
