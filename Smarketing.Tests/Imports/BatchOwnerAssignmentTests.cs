using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Imports;

/// <summary>The owners of a batch are assigned at once: one cursor write per pool, the reps still in round-robin.</summary>
public sealed class BatchOwnerAssignmentTests
{
    [Fact]
    public async Task AssignMany_BatchOf100_OneCursorWriteAndRepsInTurn()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Routing:CursorShards"] = "1" });
        var owners = app.Services.GetRequiredService<IOwnerAssigner>();
        var requests = Enumerable.Range(0, 100).Select(i => new OwnerAssignmentRequest { LeadId = $"lead-{i:D3}" }).ToList();

        var reps = await owners.AssignManyAsync(requests, CancellationToken.None);

        Assert.Equal(100, reps.Count);
        // One shard: turn t goes to rep t mod 3, in the order of the batch.
        string[] pool = ["rep-ada", "rep-grace", "rep-linus"];
        Assert.Equal(Enumerable.Range(0, 100).Select(t => pool[t % 3]), reps);
        var cursor = Assert.Single(await TestApp.RowsAsync(app.Layout.OwnerAssignment));
        Assert.Equal(100, cursor.GetInt64("Next"));

        // The next single lead continues the rotation after the batch.
        Assert.Equal(pool[100 % 3], await owners.AssignAsync(new OwnerAssignmentRequest { LeadId = "lead-next" }, CancellationToken.None));
        RoundRobinTests.AssertFairWithinBound(reps.Append("rep-grace").GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count()), 101, 1, pool);
    }
}
