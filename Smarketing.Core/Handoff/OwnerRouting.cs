namespace Smarketing.Core.Handoff;

/// <summary>
/// A territory: leads from these countries and/or industries go to these reps (round-robin among the active
/// ones). An empty criterion matches any value; a territory must name at least one criterion.
/// </summary>
public sealed record Territory
{
    /// <summary>The territory's name, which also keys its round-robin cursor.</summary>
    public required string Name { get; init; }

    /// <summary>The countries it covers (compared case-insensitively); empty for any country.</summary>
    public IReadOnlyList<string> Countries { get; init; } = [];

    /// <summary>The industries it covers (compared case-insensitively); empty for any industry.</summary>
    public IReadOnlyList<string> Industries { get; init; } = [];

    /// <summary>The reps of the territory, in round-robin order.</summary>
    public required IReadOnlyList<string> Reps { get; init; }

    /// <summary>True when the lead falls in this territory.</summary>
    public bool Matches(OwnerAssignmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (Countries.Count > 0 || Industries.Count > 0)
            && (Countries.Count == 0 || Contains(Countries, request.Country))
            && (Industries.Count == 0 || Contains(Industries, request.Industry));
    }

    private static bool Contains(IReadOnlyList<string> values, string? value) =>
        value is not null && values.Any(v => string.Equals(v, value.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// A set of reps that share one round-robin cursor, split into shards so that concurrent handoffs on several
/// instances don't all write one row. Shard <c>s</c> deals its turns starting at rep <c>s mod n</c>, so every
/// shard's rotation is shifted and the shards together stay within <see cref="FairnessBound"/> of each other.
/// </summary>
public sealed record RepPool
{
    /// <summary>The name of the default pool (<c>Routing:Reps</c>).</summary>
    public const string DefaultName = "default";

    /// <summary>The pool's name: <see cref="DefaultName"/> or a territory's name.</summary>
    public required string Name { get; init; }

    /// <summary>The active reps, in round-robin order; never empty.</summary>
    public required IReadOnlyList<string> Reps { get; init; }

    /// <summary>The rep who gets turn <paramref name="turn"/> (0, 1, 2, …) of cursor shard <paramref name="shard"/>: rep <c>(turn + shard) mod n</c>.</summary>
    public string RepFor(int shard, long turn)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(turn);
        return Reps[(int)((turn + shard) % Reps.Count)];
    }

    /// <summary>
    /// The most by which two reps' lead counts can differ when every turn taken comes from one of
    /// <paramref name="shards"/> shards: <c>S − ⌊S/n⌋</c>. Each shard gives every rep ⌊k/n⌋ leads plus one to each
    /// of the k mod n reps from its first rep on; a shard that starts at rep b and gives rep a an extra one gives b
    /// one too, and ⌊S/n⌋ shards or more start at any given rep.
    /// </summary>
    public int FairnessBound(int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        return shards - (shards / Reps.Count);
    }
}

/// <summary>
/// Owner routing as configured: territory rules first (the first matching territory with an active rep
/// wins), then the default pool. Reps marked inactive are skipped everywhere.
/// </summary>
public sealed class OwnerRouting
{
    /// <summary>The default number of cursor shards per pool.</summary>
    public const int DefaultCursorShards = 8;

    private readonly RepPool _default;
    private readonly IReadOnlyList<(Territory Territory, RepPool Pool)> _territories;

    /// <summary>Builds the routing; throws when the default pool has no active rep.</summary>
    public OwnerRouting(
        IReadOnlyList<string> defaultReps,
        IReadOnlyCollection<string> inactiveReps,
        IReadOnlyList<Territory> territories,
        int cursorShards = DefaultCursorShards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cursorShards, 1);
        ArgumentNullException.ThrowIfNull(defaultReps);
        ArgumentNullException.ThrowIfNull(inactiveReps);
        ArgumentNullException.ThrowIfNull(territories);
        var inactive = new HashSet<string>(inactiveReps, StringComparer.Ordinal);
        var active = defaultReps.Where(r => !inactive.Contains(r)).ToList();
        if (active.Count == 0)
        {
            throw new ArgumentException("The default pool has no active rep.", nameof(defaultReps));
        }

        CursorShards = cursorShards;
        _default = new RepPool { Name = RepPool.DefaultName, Reps = active };
        _territories = [.. territories
            .Select(t => (t, new RepPool { Name = t.Name, Reps = [.. t.Reps.Where(r => !inactive.Contains(r))] }))
            .Where(x => x.Item2.Reps.Count > 0)];
    }

    /// <summary>How many cursor rows each pool's rotation is split into (<c>Routing:CursorShards</c>).</summary>
    public int CursorShards { get; }

    /// <summary>The pool that serves the lead.</summary>
    public RepPool Select(OwnerAssignmentRequest request)
    {
        foreach (var (territory, pool) in _territories)
        {
            if (territory.Matches(request))
            {
                return pool;
            }
        }

        return _default;
    }
}
