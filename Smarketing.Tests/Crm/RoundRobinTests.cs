using Microsoft.Extensions.Logging.Abstractions;
using Smarketing.Core.Handoff;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>Round-robin with its cursor in real Table Storage (Azurite), under concurrency.</summary>
public sealed class RoundRobinTests
{
    private static readonly Dictionary<string, string?> FourRepsOneInactive = new()
    {
        ["Routing:Reps"] = "rep-ada,rep-grace,rep-hedy,rep-linus",
        ["Routing:InactiveReps"] = "rep-hedy",
    };

    private static void AssertEvenWithinOne(IReadOnlyDictionary<string, int> counts, int total, params string[] active)
    {
        Assert.Equal(active.Order(), counts.Keys.Order());
        Assert.Equal(total, counts.Values.Sum());
        var even = (double)total / active.Length;
        Assert.All(active, rep => Assert.InRange(counts[rep], Math.Floor(even) - 1, Math.Ceiling(even) + 1));
    }

    [Fact]
    public async Task Handoff_300ConcurrentHandoffs_EvenWithinOneOver3RepsAndInactiveRepGetsNone()
    {
        await using var app = await TestApp.StartAsync(settings: FourRepsOneInactive);
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            Assert.Equal(202, (await app.PostLeadAsync(Leads.Article($"lead-rr-{i:D3}").ToJsonString())).Status));

        var messages = new List<Azure.Storage.Queues.Models.QueueMessage>();
        while (messages.Count < 300)
        {
            var batch = (await app.Layout.Handoff.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            Assert.NotEmpty(batch);
            messages.AddRange(batch);
        }

        // Every handoff at once, as a scaled-out host would run them.
        await Task.WhenAll(messages.Select(m => Task.Run(() => app.Function<HandOffMql>().Run(m, CancellationToken.None))));

        var owners = (await TestApp.RowsAsync(app.Layout.SandboxCrm))
            .GroupBy(r => r.GetString("OwnerId")!)
            .ToDictionary(g => g.Key, g => g.Count());
        AssertEvenWithinOne(owners, 300, "rep-ada", "rep-grace", "rep-linus");
        Assert.False(owners.ContainsKey("rep-hedy"));
    }

    [Fact]
    public async Task AssignAsync_ThreeInstancesSharingOneCursor_300ConcurrentAssignmentsEvenWithinOne()
    {
        await using var app = await TestApp.StartAsync(settings: FourRepsOneInactive);
        var routing = new OwnerRouting(["rep-ada", "rep-grace", "rep-hedy", "rep-linus"], ["rep-hedy"], []);

        // Three instances: each has its own in-process cursor cache; only the ETag on the table row is shared.
        var instances = Enumerable.Range(0, 3)
            .Select(_ => new TableRoundRobinOwnerAssigner(app.Layout, routing, NullLogger<TableRoundRobinOwnerAssigner>.Instance))
            .ToArray();
        var reps = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            Task.Run(() => instances[i % 3].AssignAsync(new OwnerAssignmentRequest { LeadId = $"lead-{i}" }, CancellationToken.None))));

        AssertEvenWithinOne(reps.GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count()), 300, "rep-ada", "rep-grace", "rep-linus");
        var cursor = await app.Layout.OwnerAssignment.GetEntityAsync<Azure.Data.Tables.TableEntity>(TableRoundRobinOwnerAssigner.PartitionKey, "cursor");
        Assert.Equal(300, cursor.Value.GetInt64("Next"));
        foreach (var instance in instances)
        {
            instance.Dispose();
        }
    }

    [Fact]
    public async Task Handoff_TerritoryRules_CountryAndIndustryRoutedBeforeRoundRobin()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Routing:Territories:0:Name"] = "DACH",
            ["Routing:Territories:0:Countries"] = "DE,AT,CH",
            ["Routing:Territories:0:Reps"] = "rep-hans,rep-greta",
            ["Routing:Territories:1:Name"] = "FinTech",
            ["Routing:Territories:1:Industries"] = "FinTech",
            ["Routing:Territories:1:Reps"] = "rep-fin",
        });
        var fintech = Leads.Article("lead-fintech");
        fintech["industry"] = "FinTech";
        foreach (var lead in new[] { Leads.Article("lead-de-1"), Leads.Article("lead-de-2"), fintech, Leads.Article("lead-us") })
        {
            await app.PostLeadAsync(lead.ToJsonString());
        }

        await app.SetCountryAsync("lead-de-1", "DE");
        await app.SetCountryAsync("lead-de-2", "de");
        await app.SetCountryAsync("lead-us", "US");
        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        var owners = (await TestApp.RowsAsync(app.Layout.SandboxCrm)).ToDictionary(r => r.GetString("ExternalId")!, r => r.GetString("OwnerId"));
        Assert.Equal("rep-hans", owners["lead-de-1"]);
        Assert.Equal("rep-greta", owners["lead-de-2"]);
        Assert.Equal("rep-fin", owners["lead-fintech"]);
        Assert.Equal("rep-ada", owners["lead-us"]);
        Assert.Equal("DE", (await app.LedgerAsync("lead-de-1"))!.Country);
    }
}
