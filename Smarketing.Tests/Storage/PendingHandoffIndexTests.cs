using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Storage;

/// <summary>
/// The pending-handoff index on Azurite: its rows spread over shard partitions (every MQL's intake writes one, so one
/// partition would be a hot spot), the reconciler still gets the earliest due rows first, and rows an earlier version
/// wrote to the single partition <c>due</c> are still read and removed.
/// </summary>
public sealed class PendingHandoffIndexTests
{
    [Fact]
    public async Task Add_ManyLeads_SpreadOverShards_ReadDueEarliestFirstAcrossThem()
    {
        await using var app = await TestApp.StartAsync();
        var index = app.Services.GetRequiredService<IPendingHandoffIndex>();
        var start = app.Time.GetUtcNow();
        var entries = Enumerable.Range(0, 200)
            .Select(i => new PendingHandoff { LeadId = $"lead-shard-{i}", DueAt = start.AddSeconds(200 - i), MqlAt = start })
            .ToList();

        await index.AddAsync(entries, CancellationToken.None);
        var due = await index.ReadDueAsync(start.AddSeconds(150), 10, CancellationToken.None);

        var partitions = (await TestApp.RowsAsync(app.Layout.PendingHandoffs)).Select(r => r.PartitionKey).Where(p => p != "state").Distinct().ToList();
        Assert.True(partitions.Count > 8, $"rows in {partitions.Count} partitions");
        Assert.DoesNotContain("due", partitions);
        Assert.Equal(Enumerable.Range(1, 10).Select(s => start.AddSeconds(s)), due.Select(e => e.DueAt));
    }

    [Fact]
    public async Task RowOfTheSinglePartitionAnEarlierVersionWrote_ReadAndRemoved()
    {
        await using var app = await TestApp.StartAsync();
        var index = app.Services.GetRequiredService<IPendingHandoffIndex>();
        var start = app.Time.GetUtcNow();
        var legacy = new PendingHandoff { LeadId = "lead-before-shards", DueAt = start, MqlAt = start.AddMinutes(-5) };
        await app.Layout.PendingHandoffs.AddEntityAsync(new TableEntity("due", TablePendingHandoffIndex.RowKey(legacy))
        {
            ["LeadId"] = legacy.LeadId,
            ["DueAt"] = legacy.DueAt,
            ["MqlAt"] = legacy.MqlAt,
        });

        var due = await index.ReadDueAsync(start, 10, CancellationToken.None);
        var (all, truncated) = await index.ReadAllAsync(100, CancellationToken.None);
        await index.RemoveAsync(Assert.Single(due), CancellationToken.None);

        Assert.Equal("lead-before-shards", Assert.Single(all).LeadId);
        Assert.False(truncated);
        var left = (await TestApp.RowsAsync(app.Layout.PendingHandoffs)).Where(r => r.PartitionKey.StartsWith("due", StringComparison.Ordinal)).Select(r => r.PartitionKey + "/" + r.RowKey).ToList();
        Assert.True(left.Count == 0, string.Join(", ", left));
    }
}
