using System.Diagnostics;
using Smarketing.Core.Handoff;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;
using Xunit.Abstractions;

namespace Smarketing.Tests.Crm;

/// <summary>
/// Owner assignment scaled out: two app instances, each running 16 handoffs at once, against one Azurite account.
/// 2,000 leads through intake and handoff are some 25,000 storage requests: the test runs alone, after the others,
/// so that it neither starves them nor is starved by them.
/// </summary>
[Collection(nameof(OwnerAssignmentScaleOutTests))]
public sealed class OwnerAssignmentScaleOutTests(ITestOutputHelper output)
{
    private const int LeadCount = 2_000;

    private static readonly Dictionary<string, string?> ThreeActiveRepsOneInactive = new()
    {
        ["Routing:Reps"] = "rep-ada,rep-grace,rep-hedy,rep-linus",
        ["Routing:InactiveReps"] = "rep-hedy",
    };

    [Fact]
    public async Task Handoff_TwoInstances16ConcurrentHandoffsEach_2000LeadsFairWithinTheBoundAndNoFailedHandoff()
    {
        await using var first = await TestApp.StartAsync(settings: ThreeActiveRepsOneInactive);
        await using var second = await first.StartInstanceAsync(ThreeActiveRepsOneInactive);
        await Parallel.ForEachAsync(Enumerable.Range(0, LeadCount), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            Assert.Equal(202, (await (i % 2 == 0 ? first : second).PostLeadAsync(Leads.Article($"lead-scale-{i:D4}").ToJsonString())).Status));

        var listeners = new[] { first.HandoffListener(concurrency: 16), second.HandoffListener(concurrency: 16) };
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(listeners.Select(l => l.RunUntilEmptyAsync(TimeSpan.FromSeconds(180))));
        output.WriteLine($"{LeadCount} handoffs in {clock.Elapsed.TotalSeconds:F1} s: {listeners[0].Invocations} on the first instance, {listeners[1].Invocations} on the second");

        // No handoff failed for want of a cursor turn. A storage request that timed out on a loaded machine fails its
        // invocation like any transient error and the message is delivered again; it is reported, not counted as unfair.
        var errors = listeners.SelectMany(l => l.Errors).ToList();
        foreach (var error in errors)
        {
            output.WriteLine($"retried after: {error.GetType().Name}: {error.Message}");
        }

        Assert.DoesNotContain(errors, e => e is OwnerCursorContendedException);
        Assert.All(listeners, l => Assert.InRange(l.Invocations, 1, LeadCount + errors.Count));
        Assert.Equal(LeadCount + errors.Count, listeners.Sum(l => l.Invocations));
        Assert.Empty(await TestApp.RowsAsync(first.Layout.HandoffDeadLetters));

        var crm = await TestApp.RowsAsync(first.Layout.SandboxCrm);
        Assert.Equal(LeadCount, crm.Select(r => r.GetString("ExternalId")).Distinct().Count());
        var owners = crm.GroupBy(r => r.GetString("OwnerId")!).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", owners.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")));
        var routing = first.Services.GetService(typeof(OwnerRouting)) as OwnerRouting;
        var bound = routing!.Select(new OwnerAssignmentRequest { LeadId = "any" }).FairnessBound(routing.CursorShards);
        Assert.Equal(6, bound);
        RoundRobinTests.AssertFairWithinBound(owners, LeadCount, bound, "rep-ada", "rep-grace", "rep-linus");
        Assert.False(owners.ContainsKey("rep-hedy"));

        // Every lead took a turn of the shared shards. A few more turns than leads are possible: a write that
        // reached storage but whose answer was lost (the SDK retries it and gets a 412) skips a turn.
        var cursors = await TestApp.RowsAsync(first.Layout.OwnerAssignment);
        Assert.All(cursors, c => Assert.Equal(TableRoundRobinOwnerAssigner.PartitionKey, c.PartitionKey));
        Assert.InRange(cursors.Sum(c => c.GetInt64("Next") ?? 0), LeadCount, LeadCount + 20);
    }
}

[CollectionDefinition(nameof(OwnerAssignmentScaleOutTests), DisableParallelization = true)]
public sealed class OwnerAssignmentScaleOutRunsAlone;
