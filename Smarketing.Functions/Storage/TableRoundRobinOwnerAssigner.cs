using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Storage;

/// <summary>
/// Territory rules, then round-robin over the pool's active reps, with each pool's cursor split into
/// <see cref="OwnerRouting.CursorShards"/> rows in Table Storage. An assignment takes the next turn of one shard
/// under the row's ETag; turn k of shard s goes to rep (k + s) mod n (<see cref="RepPool.RepFor"/>), so the shards
/// together stay fair within <see cref="RepPool.FairnessBound"/> whichever shards the turns come from.
/// Concurrent handoffs mostly write different rows: within an instance a handoff takes the first shard, from the
/// instance's home shard on, that no other call of this instance holds; on a 412 (another instance took that
/// turn) it leaves that shard to the other instance for a while, moves the home to a random other shard and
/// tries again there instead of queueing behind the same row. Instances so settle on shards of their own; each
/// shard's last ETag is kept, so a turn of a shard only this instance uses costs one write.
/// </summary>
public sealed class TableRoundRobinOwnerAssigner(StorageLayout layout, OwnerRouting routing, ILogger<TableRoundRobinOwnerAssigner> logger)
    : IOwnerAssigner, IDisposable
{
    /// <summary>
    /// The partition of the sharded cursors. The single cursor rows of earlier versions live in partition
    /// <c>round-robin</c> and are no longer read.
    /// </summary>
    public const string PartitionKey = "round-robin-shards";

    // A territory name is kept readable in its row keys but cut (and completed by a hash) well below the key limit.
    private const int MaxNameLength = 400;

    // A shard lost to another instance is left to it for 16 turns per shard of this instance (128 with 8 shards),
    // then tried again, so shards of an instance that scaled in come back into use.
    private const int AvoidTurnsPerShard = 16;

    private readonly ConcurrentDictionary<string, Cursor> _pools = new(StringComparer.Ordinal);

    /// <summary>How many cursor writes an assignment tries before it gives up: max(4S, 20).</summary>
    public int MaxAttempts { get; } = Math.Max(4 * routing.CursorShards, 20);

    /// <summary>
    /// The row key of shard <paramref name="shard"/> of a pool's cursor: <c>cursor-{s}</c> for the default pool,
    /// <c>territory-{name}-{s}</c> for a territory, the name key-encoded with its own dashes escaped as <c>%2D</c>,
    /// so that territory <c>X</c> shard 3 and territory <c>X-3</c> can never share a row.
    /// </summary>
    public static string RowKey(string pool, int shard)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var s = shard.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (pool == RepPool.DefaultName)
        {
            return "cursor-" + s;
        }

        var name = TableKeys.Encode(pool).Replace("-", "%2D", StringComparison.Ordinal);
        if (name.Length > MaxNameLength)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pool)));
            var cut = name.LastIndexOf('%', MaxNameLength - 1) is var p && p > MaxNameLength - 3 ? p : MaxNameLength;
            name = name[..cut] + "~" + hash;
        }

        return "territory-" + name + "-" + s;
    }

    public async Task<string> AssignAsync(OwnerAssignmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await TakeTurnsAsync(routing.Select(request), [request], cancellationToken))[0];
    }

    /// <summary>
    /// The reps of a batch: the leads of one pool take consecutive turns of one shard in a single cursor write, so a batch
    /// of 100 leads costs one write per pool instead of 100, and the reps still follow the round-robin.
    /// </summary>
    public async Task<IReadOnlyList<string>> AssignManyAsync(IReadOnlyList<OwnerAssignmentRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var reps = new string[requests.Count];
        foreach (var group in requests.Select((request, i) => (Request: request, Index: i)).GroupBy(r => routing.Select(r.Request)))
        {
            var members = group.ToList();
            var taken = await TakeTurnsAsync(group.Key, [.. members.Select(m => m.Request)], cancellationToken);
            for (var i = 0; i < members.Count; i++)
            {
                reps[members[i].Index] = taken[i];
            }
        }

        return reps;
    }

    private async Task<IReadOnlyList<string>> TakeTurnsAsync(RepPool pool, IReadOnlyList<OwnerAssignmentRequest> requests, CancellationToken cancellationToken)
    {
        var request = requests[0];
        var cursor = _pools.GetOrAdd(pool.Name, _ => new Cursor(routing.CursorShards));
        var shards = cursor.Shards;
        for (var attempt = 1; ; attempt++)
        {
            var (index, shard) = await AcquireAsync(cursor, cancellationToken);
            try
            {
                var turn = await TryTakeTurnAsync(pool.Name, index, shard, requests.Count, cancellationToken);
                if (turn is { } taken)
                {
                    cursor.Won();
                    var reps = new string[requests.Count];
                    for (var i = 0; i < reps.Length; i++)
                    {
                        reps[i] = pool.RepFor(index, taken + i);
                        logger.OwnerRouted(requests[i].LeadId, pool.Name, reps[i]);
                    }

                    return reps;
                }
            }
            finally
            {
                shard.Lock.Release();
            }

            logger.OwnerCursorContended(pool.Name, index, attempt);
            if (attempt >= MaxAttempts)
            {
                logger.OwnerCursorGaveUp(request.LeadId, pool.Name, attempt);
                throw new OwnerCursorContendedException(pool.Name, attempt);
            }

            // Another instance deals from this shard: leave it to that one for a while and move this instance's home
            // elsewhere at random, so instances settle on shards of their own and their cached ETags stay fresh.
            shard.AvoidUntil = cursor.Turns + (AvoidTurnsPerShard * shards.Length);
            cursor.Home = shards.Length == 1 ? 0 : (index + Random.Shared.Next(1, shards.Length)) % shards.Length;
        }
    }

    public void Dispose()
    {
        foreach (var shard in _pools.Values.SelectMany(c => c.Shards))
        {
            shard.Lock.Dispose();
        }
    }

    // From the home shard on, the first shard not left to another instance that no other call of this instance
    // holds; when all are busy, wait for the first one not left to another instance. When every shard was lost
    // lately, the marks are dropped and all are tried again.
    private static async Task<(int Index, Shard Shard)> AcquireAsync(Cursor cursor, CancellationToken cancellationToken)
    {
        var shards = cursor.Shards;
        var home = cursor.Home;
        var turns = cursor.Turns;
        int? usable = null;
        for (var i = 0; i < shards.Length; i++)
        {
            var index = (home + i) % shards.Length;
            if (shards[index].AvoidUntil > turns)
            {
                continue;
            }

            usable ??= index;
            if (shards[index].Lock.Wait(0, CancellationToken.None))
            {
                return (index, shards[index]);
            }
        }

        if (usable is null)
        {
            foreach (var shard in shards)
            {
                shard.AvoidUntil = 0;
            }
        }

        var wait = usable ?? home;
        await shards[wait].Lock.WaitAsync(cancellationToken);
        return (wait, shards[wait]);
    }

    // The turn taken, or null when another instance wrote the row first (the shard's cached state is dropped).
    private async Task<long?> TryTakeTurnAsync(string pool, int index, Shard shard, int count, CancellationToken cancellationToken)
    {
        var table = layout.OwnerAssignment;
        var rowKey = RowKey(pool, index);
        try
        {
            if (shard.ETag is null)
            {
                var stored = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, rowKey, cancellationToken: cancellationToken);
                if (!stored.HasValue)
                {
                    var added = await table.AddEntityAsync(new TableEntity(PartitionKey, rowKey) { ["Next"] = (long)count }, cancellationToken);
                    (shard.Next, shard.ETag) = (count, added.Headers.ETag);
                    return 0;
                }

                (shard.Next, shard.ETag) = (stored.Value!.GetInt64("Next") ?? 0, stored.Value.ETag);
            }

            var turn = shard.Next;
            var updated = await table.UpdateEntityAsync(
                new TableEntity(PartitionKey, rowKey) { ["Next"] = turn + count },
                shard.ETag.Value,
                TableUpdateMode.Replace,
                cancellationToken);
            (shard.Next, shard.ETag) = (turn + count, updated.Headers.ETag);
            return turn;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            // 412: another instance took this turn; 409: it created the row first; 404: the row was removed.
            shard.ETag = null;
            return null;
        }
    }

    private sealed class Cursor(int shards)
    {
        private int _home = Random.Shared.Next(shards);
        private long _turns;

        // The turns this instance has taken from the pool: the clock of the marks on lost shards.
        public long Turns => Interlocked.Read(ref _turns);

        public void Won() => Interlocked.Increment(ref _turns);

        public Shard[] Shards { get; } = [.. Enumerable.Range(0, shards).Select(_ => new Shard())];

        // The shard this instance deals from first: random at start, moved on a conflict, kept while it wins.
        public int Home
        {
            get => Volatile.Read(ref _home);
            set => Volatile.Write(ref _home, value);
        }
    }

    private sealed class Shard
    {
        private long _avoidUntil;

        public SemaphoreSlim Lock { get; } = new(1, 1);

        // Lost to another instance: not tried again before this instance has taken this many turns of the pool.
        public long AvoidUntil
        {
            get => Interlocked.Read(ref _avoidUntil);
            set => Interlocked.Exchange(ref _avoidUntil, value);
        }

        public long Next { get; set; }

        public ETag? ETag { get; set; }
    }
}
