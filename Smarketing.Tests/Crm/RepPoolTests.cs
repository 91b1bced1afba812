using CsCheck;
using Smarketing.Core.Handoff;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>The sharded round-robin's arithmetic: which rep a turn of a shard goes to, and how unfair the shards can get.</summary>
public sealed class RepPoolTests
{
    private static RepPool Pool(int reps) =>
        new() { Name = RepPool.DefaultName, Reps = [.. Enumerable.Range(0, reps).Select(i => $"rep-{i}")] };

    [Fact]
    public void RepFor_EachShard_DealsInTurnStartingAtItsOwnRep()
    {
        var pool = Pool(3);

        Assert.Equal(["rep-0", "rep-1", "rep-2", "rep-0"], Enumerable.Range(0, 4).Select(k => pool.RepFor(0, k)));
        Assert.Equal(["rep-1", "rep-2", "rep-0", "rep-1"], Enumerable.Range(0, 4).Select(k => pool.RepFor(1, k)));
        Assert.Equal(["rep-2", "rep-0", "rep-1"], Enumerable.Range(0, 3).Select(k => pool.RepFor(5, k)));
    }

    [Fact]
    public void RepFor_OneShard_ExactAlternation()
    {
        var pool = Pool(3);

        var counts = Enumerable.Range(0, 300).GroupBy(k => pool.RepFor(0, k)).Select(g => g.Count());

        Assert.All(counts, c => Assert.Equal(100, c));
    }

    [Theory]
    [InlineData(3, 8, 6)]
    [InlineData(3, 1, 1)]
    [InlineData(1, 8, 0)]
    [InlineData(2, 8, 4)]
    [InlineData(10, 8, 8)]
    [InlineData(3, 64, 43)]
    public void FairnessBound_RepsAndShards_SMinusFloorSOverN(int reps, int shards, int expected)
    {
        Assert.Equal(expected, Pool(reps).FairnessBound(shards));
    }

    [Fact]
    public void FairnessBound_AnyTurnsTakenFromAnyShards_NoTwoRepsDifferByMore()
    {
        // Turns taken in any order from any shards, as contention and the lead-id hash choose them; the bound must
        // hold after every single turn, not only at the end.
        var gen =
            from reps in Gen.Int[1, 7]
            from shards in Gen.Int[1, 64]
            from picks in Gen.Int[0, shards - 1].Array[0, 400]
            select (reps, shards, picks);

        gen.Sample(t =>
        {
            var pool = Pool(t.reps);
            var bound = pool.FairnessBound(t.shards);
            var next = new long[t.shards];
            var counts = pool.Reps.ToDictionary(r => r, _ => 0);
            foreach (var shard in t.picks)
            {
                counts[pool.RepFor(shard, next[shard]++)]++;
                if (counts.Values.Max() - counts.Values.Min() > bound)
                {
                    return false;
                }
            }

            return counts.Values.Sum() == t.picks.Length;
        });
    }

    [Fact]
    public void FairnessBound_EveryRepsAndShards_IsReachedSoItIsTheTightBound()
    {
        // Reps a and b drift furthest apart when every shard whose rotation reaches a before b has dealt just past
        // a: shard s does so when (a − s) mod n < (b − s) mod n. The worst pair must hit the bound exactly.
        for (var reps = 1; reps <= 10; reps++)
        {
            for (var shards = 1; shards <= 64; shards++)
            {
                var worst = 0;
                for (var a = 0; a < reps; a++)
                {
                    for (var b = 0; b < reps; b++)
                    {
                        var ahead = Enumerable.Range(0, shards).Count(s => Mod(a - s, reps) < Mod(b - s, reps));
                        worst = Math.Max(worst, ahead);
                    }
                }

                Assert.Equal(Pool(reps).FairnessBound(shards), worst);
            }
        }
    }

    [Fact]
    public void FairnessBound_ThreeRepsEightShards_SixReachedByAConcreteDeal()
    {
        // Shards 0, 3, 6 (starting at rep-0) deal two turns, shards 1, 4, 7 (starting at rep-1) one: rep-1 has 6, rep-2 none.
        var pool = Pool(3);
        var counts = pool.Reps.ToDictionary(r => r, _ => 0);
        foreach (var (shard, turns) in new[] { (0, 2), (3, 2), (6, 2), (1, 1), (4, 1), (7, 1) })
        {
            for (var k = 0; k < turns; k++)
            {
                counts[pool.RepFor(shard, k)]++;
            }
        }

        Assert.Equal(6, counts["rep-1"]);
        Assert.Equal(0, counts["rep-2"]);
        Assert.Equal(pool.FairnessBound(8), counts["rep-1"] - counts["rep-2"]);
    }

    private static int Mod(int x, int n) => ((x % n) + n) % n;
}
