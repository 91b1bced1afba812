using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Smarketing.Core.Handoff.Batch;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The CRM request budget every instance shares, the table <c>CrmRequestBudget</c>: a partition per provider holding one
/// row per window kind of its budget (<c>rate</c>, <c>daily</c>: the start of the current fixed window and the requests
/// each lane took in it; a new window replaces the row, so the table never grows) and the row <c>backoff</c> (no request
/// before <c>Until</c>). Rows are written only under the ETag they were read with (all windows of a take in one
/// transaction), so the instances together never take more than a window allows. An instance takes a block of
/// <see cref="CrmBudgetOptions.BlockSize"/> requests per write and spends it locally until the window ends; what is left
/// of it then is lost, never carried over. The back-off row is read at most a second before a locally spent request.
/// </summary>
internal sealed class TableCrmRequestBudget(StorageLayout layout, CrmBudgetLimits limits, TimeProvider timeProvider) : ICrmRequestBudget
{
    internal const string BackOffRow = "backoff";

    // Writes other instances keep winning; after them the request waits a moment instead of hammering the row.
    private const int MaxRaces = 8;

    /// <summary>How long a read of the back-off row is trusted.</summary>
    internal static readonly TimeSpan BackOffFreshness = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan ContendedRetry = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Local> _local = new(StringComparer.OrdinalIgnoreCase);

    public async Task<CrmBudgetGrant> TryTakeAsync(string provider, int requests, CrmBudgetLane lane, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        var windows = limits.For(provider);
        if (windows.Count == 0)
        {
            return CrmBudgetGrant.Yes;
        }

        var local = _local.GetOrAdd(provider, _ => new Local());
        var now = timeProvider.GetUtcNow();
        if (local.HasBlock(lane, requests, now) && !local.BackOffFresh(now))
        {
            await ReadBackOffAsync(provider, local, cancellationToken);
        }

        if (local.TrySpend(lane, requests, now, out var backOff))
        {
            return CrmBudgetGrant.Yes;
        }

        if (backOff is { } until)
        {
            return CrmBudgetGrant.NotBefore(until);
        }

        return await TakeBlockAsync(provider, windows, requests, lane, local, cancellationToken);
    }

    public async Task BackOffAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        if (limits.For(provider).Count == 0)
        {
            return;
        }

        var local = _local.GetOrAdd(provider, _ => new Local());
        local.SawBackOff(until, timeProvider.GetUtcNow());
        var partition = TableKeys.Encode(provider);
        for (var race = 0; race < MaxRaces; race++)
        {
            var row = await layout.CrmRequestBudget.GetEntityIfExistsAsync<TableEntity>(partition, BackOffRow, cancellationToken: cancellationToken);
            var stored = row.HasValue ? row.Value!.GetDateTimeOffset("Until") : null;
            if (stored >= until)
            {
                local.SawBackOff(stored.Value, timeProvider.GetUtcNow());
                return;
            }

            var entity = new TableEntity(partition, BackOffRow) { ["Until"] = until };
            try
            {
                if (row.HasValue)
                {
                    await layout.CrmRequestBudget.UpdateEntityAsync(entity, row.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await layout.CrmRequestBudget.AddEntityAsync(entity, cancellationToken);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another instance wrote first; read its time and keep the later one.
            }
        }
    }

    private async Task ReadBackOffAsync(string provider, Local local, CancellationToken cancellationToken)
    {
        var row = await layout.CrmRequestBudget.GetEntityIfExistsAsync<TableEntity>(TableKeys.Encode(provider), BackOffRow, select: ["Until"], cancellationToken: cancellationToken);
        local.ReadBackOff(row.HasValue ? row.Value!.GetDateTimeOffset("Until") : null, timeProvider.GetUtcNow());
    }

    private async Task<CrmBudgetGrant> TakeBlockAsync(
        string provider,
        IReadOnlyList<CrmBudgetWindow> windows,
        int requests,
        CrmBudgetLane lane,
        Local local,
        CancellationToken cancellationToken)
    {
        var partition = TableKeys.Encode(provider);
        var now = timeProvider.GetUtcNow();
        for (var race = 0; race < MaxRaces; race++)
        {
            var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            await foreach (var row in layout.CrmRequestBudget.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken))
            {
                rows[row.RowKey] = row;
            }

            now = timeProvider.GetUtcNow();
            local.ReadBackOff(rows.TryGetValue(BackOffRow, out var backOffRow) ? backOffRow.GetDateTimeOffset("Until") : null, now);
            if (local.BackOffUntil > now)
            {
                return CrmBudgetGrant.NotBefore(local.BackOffUntil);
            }

            var taken = windows.Select(w => ReadWindow(w, rows.GetValueOrDefault(w.Name), now)).ToList();
            var room = taken.Min(t => t.Window.Room(lane, t.Webhook, t.Import));
            if (room < requests)
            {
                // The next window with room: the end of the latest full one.
                return CrmBudgetGrant.NotBefore(taken
                    .Where(t => t.Window.Room(lane, t.Webhook, t.Import) < requests)
                    .Max(t => t.Start + t.Window.Length));
            }

            var grant = Math.Min(Math.Max(requests, limits.Options.BlockSize), room);
            var actions = taken.Select(t => Write(partition, t, lane, grant)).ToList();
            try
            {
                await layout.CrmRequestBudget.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                continue;
            }

            local.AddBlock(lane, taken.Max(t => t.Start), taken.Min(t => t.Start + t.Window.Length), grant - requests);
            return CrmBudgetGrant.Yes;
        }

        var earliestEnd = windows.Min(w => w.StartOf(now) + w.Length);
        return CrmBudgetGrant.NotBefore(now + ContendedRetry < earliestEnd ? now + ContendedRetry : earliestEnd);
    }

    private static Taken ReadWindow(CrmBudgetWindow window, TableEntity? row, DateTimeOffset now)
    {
        var start = window.StartOf(now);
        var rowStart = row?.GetInt64("WindowStart");

        // A row of an earlier window counts nothing; one of a later window (an instance whose clock is ahead) is the window.
        return rowStart is { } ticks && ticks >= start.UtcTicks
            ? new Taken(window, new DateTimeOffset(ticks, TimeSpan.Zero), row!.GetInt64("Webhook") ?? 0, row.GetInt64("Import") ?? 0, row)
            : new Taken(window, start, 0, 0, row);
    }

    private static TableTransactionAction Write(string partition, Taken taken, CrmBudgetLane lane, long grant)
    {
        var entity = new TableEntity(partition, taken.Window.Name)
        {
            ["WindowStart"] = taken.Start.UtcTicks,
            ["WindowStartsAt"] = taken.Start,
            ["Requests"] = taken.Window.Requests,
            ["Webhook"] = taken.Webhook + (lane == CrmBudgetLane.Webhook ? grant : 0),
            ["Import"] = taken.Import + (lane == CrmBudgetLane.Import ? grant : 0),
        };
        return taken.Row is { } row
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, row.ETag)
            : new TableTransactionAction(TableTransactionActionType.Add, entity);
    }

    private sealed record Taken(CrmBudgetWindow Window, DateTimeOffset Start, long Webhook, long Import, TableEntity? Row);

    /// <summary>What one instance holds of a provider's budget: the blocks it took, per lane, and the back-off it last read.</summary>
    private sealed class Local
    {
        private readonly Lock _gate = new();
        private readonly Block[] _blocks = new Block[Enum.GetValues<CrmBudgetLane>().Length];
        private DateTimeOffset _backOffUntil = DateTimeOffset.MinValue;
        private DateTimeOffset? _backOffReadAt;

        public DateTimeOffset BackOffUntil
        {
            get
            {
                lock (_gate)
                {
                    return _backOffUntil;
                }
            }
        }

        public bool BackOffFresh(DateTimeOffset now)
        {
            lock (_gate)
            {
                return _backOffReadAt is { } readAt && now - readAt < BackOffFreshness;
            }
        }

        public bool HasBlock(CrmBudgetLane lane, int requests, DateTimeOffset now)
        {
            lock (_gate)
            {
                return _blocks[(int)lane].Holds(requests, now);
            }
        }

        /// <summary>Spends from this lane's block; false when it can't, with the back-off that forbids it, if any.</summary>
        public bool TrySpend(CrmBudgetLane lane, int requests, DateTimeOffset now, out DateTimeOffset? backOff)
        {
            lock (_gate)
            {
                backOff = _backOffUntil > now ? _backOffUntil : null;
                var fresh = _backOffReadAt is { } readAt && now - readAt < BackOffFreshness;
                if (backOff is not null || !fresh || !_blocks[(int)lane].Holds(requests, now))
                {
                    return false;
                }

                _blocks[(int)lane].Left -= requests;
                return true;
            }
        }

        public void AddBlock(CrmBudgetLane lane, DateTimeOffset start, DateTimeOffset end, long left)
        {
            lock (_gate)
            {
                ref var block = ref _blocks[(int)lane];
                if (block.Start == start && block.End == end)
                {
                    block.Left += left;
                }
                else
                {
                    block = new Block { Start = start, End = end, Left = left };
                }
            }
        }

        public void ReadBackOff(DateTimeOffset? until, DateTimeOffset now)
        {
            lock (_gate)
            {
                _backOffUntil = until ?? DateTimeOffset.MinValue;
                _backOffReadAt = now;
            }
        }

        public void SawBackOff(DateTimeOffset until, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (until > _backOffUntil)
                {
                    _backOffUntil = until;
                }

                // What is spent locally is lost to the back-off too: nothing is sent before it ends.
                _backOffReadAt ??= now;
            }
        }
    }

    private struct Block
    {
        public DateTimeOffset Start;
        public DateTimeOffset End;
        public long Left;

        public readonly bool Holds(int requests, DateTimeOffset now) => Left >= requests && now >= Start && now < End;
    }
}
