using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Smarketing.Core.Leads;
using Smarketing.Core.Handoff;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>Round-robin with its cursor in real Table Storage (Azurite), under concurrency.</summary>
public sealed partial class RoundRobinTests
{
    private static readonly Dictionary<string, string?> FourRepsOneInactive = new()
    {
        ["Routing:Reps"] = "rep-ada,rep-grace,rep-hedy,rep-linus",
        ["Routing:InactiveReps"] = "rep-hedy",
    };

    // 8 shards over 3 active reps: S − ⌊S/n⌋ = 6.
    private const int Bound = 6;

    internal static void AssertFairWithinBound(IReadOnlyDictionary<string, int> counts, int total, int bound, params string[] active)
    {
        Assert.Equal(active.Order(), counts.Keys.Order());
        Assert.Equal(total, counts.Values.Sum());
        Assert.InRange(counts.Values.Max() - counts.Values.Min(), 0, bound);
    }

    [Fact]
    public async Task Handoff_300ConcurrentHandoffs_FairWithinTheBoundOver3RepsAndInactiveRepGetsNone()
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
        AssertFairWithinBound(owners, 300, Bound, "rep-ada", "rep-grace", "rep-linus");
        Assert.False(owners.ContainsKey("rep-hedy"));
    }

    [Fact]
    public async Task AssignAsync_ThreeInstancesSharingTheShards_300ConcurrentAssignmentsFairWithinTheBound()
    {
        await using var app = await TestApp.StartAsync(settings: FourRepsOneInactive);
        var routing = new OwnerRouting(["rep-ada", "rep-grace", "rep-hedy", "rep-linus"], ["rep-hedy"], []);

        // Three instances: each has its own in-process cache of the shards; only the ETags on the table rows are shared.
        var instances = Enumerable.Range(0, 3)
            .Select(_ => new TableRoundRobinOwnerAssigner(app.Layout, routing, NullLogger<TableRoundRobinOwnerAssigner>.Instance))
            .ToArray();
        var reps = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            Task.Run(() => instances[i % 3].AssignAsync(new OwnerAssignmentRequest { LeadId = $"lead-{i}" }, CancellationToken.None))));

        AssertFairWithinBound(reps.GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count()), 300, Bound, "rep-ada", "rep-grace", "rep-linus");
        var cursors = await TestApp.RowsAsync(app.Layout.OwnerAssignment);
        Assert.All(cursors, c => Assert.Equal(TableRoundRobinOwnerAssigner.PartitionKey, c.PartitionKey));
        Assert.Subset(Enumerable.Range(0, 8).Select(s => $"cursor-{s}").ToHashSet(), cursors.Select(c => c.RowKey).ToHashSet());
        Assert.Equal(300, cursors.Sum(c => c.GetInt64("Next")));
        foreach (var instance in instances)
        {
            instance.Dispose();
        }
    }

    [Fact]
    public async Task Handoff_EveryCursorWriteLosesToAnotherWriter_TransientFailureNotADeadLetterThenHandedOffOnRetry()
    {
        var rival = new RivalCursorWriter();
        await using var app = await TestApp.StartAsync(
            b => b.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(rival, HttpPipelinePosition.PerCall)),
            new Dictionary<string, string?> { ["Routing:CursorShards"] = "2" });
        foreach (var shard in new[] { 0, 1 })
        {
            await app.Layout.OwnerAssignment.AddEntityAsync(new TableEntity(TableRoundRobinOwnerAssigner.PartitionKey, TableRoundRobinOwnerAssigner.RowKey(RepPool.DefaultName, shard)) { ["Next"] = 0L });
        }

        await app.PostLeadAsync(Leads.Article("lead-contended").ToJsonString());
        var message = (await app.Layout.Handoff.ReceiveMessageAsync(TimeSpan.FromMinutes(5))).Value;
        rival.Table = app.Layout.OwnerAssignment;

        var failure = await Assert.ThrowsAsync<OwnerCursorContendedException>(() => app.Function<HandOffMql>().Run(message, CancellationToken.None));

        // max(4 × 2, 20) tries, each one a real 412 from storage; the host retries the message, nothing is dead-lettered.
        Assert.Equal(20, failure.Attempts);
        Assert.Equal(20, rival.Conflicts);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.HandoffDeadLetters));
        var lead = (await app.LedgerAsync("lead-contended"))!;
        Assert.Equal(("MQL", 1, null), (lead.Status.ToWire(), lead.Handoff.Failures, lead.OwnerId));
        Assert.Contains(nameof(OwnerCursorContendedException), lead.Handoff.LastError, StringComparison.Ordinal);

        rival.Table = null;
        await app.Function<HandOffMql>().Run(message, CancellationToken.None);

        Assert.Equal("SAL", (await app.LedgerAsync("lead-contended"))!.Status.ToWire());
    }

    [Fact]
    public void RowKey_TerritoryNamesEndingInADashAndDigits_NeverShareARowWithAnotherTerritoryOrTheDefaultPool()
    {
        var keys = new[] { "X", "X-3", "X-3-0", "cursor", "territory-X", "DACH" }
            .SelectMany(name => Enumerable.Range(0, 64).Select(s => TableRoundRobinOwnerAssigner.RowKey(name, s)))
            .Concat(Enumerable.Range(0, 64).Select(s => TableRoundRobinOwnerAssigner.RowKey(RepPool.DefaultName, s)))
            .ToList();

        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("territory-X-3", TableRoundRobinOwnerAssigner.RowKey("X", 3));
        Assert.Equal("territory-X%2D3-0", TableRoundRobinOwnerAssigner.RowKey("X-3", 0));
        Assert.Equal("cursor-7", TableRoundRobinOwnerAssigner.RowKey(RepPool.DefaultName, 7));
    }

    [Fact]
    public void RowKey_VeryLongTerritoryName_FitsTheKeyLimitAndStaysDistinct()
    {
        var a = TableRoundRobinOwnerAssigner.RowKey(new string('a', 2000) + "/1", 63);
        var b = TableRoundRobinOwnerAssigner.RowKey(new string('a', 2000) + "/2", 63);

        Assert.InRange(a.Length, 1, TableKeys.MaxLength);
        Assert.NotEqual(a, b);
        Assert.EndsWith("-63", a, StringComparison.Ordinal);
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

        // Which rep of a pool a lead gets depends on the shard its id picks; the pool does not.
        var owners = (await TestApp.RowsAsync(app.Layout.SandboxCrm)).ToDictionary(r => r.GetString("ExternalId")!, r => r.GetString("OwnerId"));
        Assert.Contains(owners["lead-de-1"], new[] { "rep-hans", "rep-greta" });
        Assert.Contains(owners["lead-de-2"], new[] { "rep-hans", "rep-greta" });
        Assert.Equal("rep-fin", owners["lead-fintech"]);
        Assert.Contains(owners["lead-us"], new[] { "rep-ada", "rep-grace", "rep-linus" });
        var turns = (await TestApp.RowsAsync(app.Layout.OwnerAssignment))
            .GroupBy(r => r.RowKey[..r.RowKey.LastIndexOf('-')])
            .ToDictionary(g => g.Key, g => g.Sum(r => r.GetInt64("Next")));
        Assert.Equal(new Dictionary<string, long?> { ["territory-DACH"] = 2, ["territory-FinTech"] = 1, ["cursor"] = 1 }, turns);
        Assert.Equal("DE", (await app.LedgerAsync("lead-de-1"))!.Country);
    }

    /// <summary>Another writer that advances a cursor row just before each conditional write of the app reaches storage.</summary>
    private sealed partial class RivalCursorWriter : HttpPipelinePolicy
    {
        private int _conflicts;

        public TableClient? Table { get; set; }

        public int Conflicts => _conflicts;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The app's storage calls are asynchronous.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var table = Table;
            if (table is not null && message.Request.Method == RequestMethod.Put && message.Request.Headers.TryGetValue("If-Match", out var ifMatch) && ifMatch != "*"
                && CursorRow().Match(message.Request.Uri.ToUri().AbsolutePath) is { Success: true } row)
            {
                // An unconditional write carries no If-Match, so this policy lets it through.
                await table.UpsertEntityAsync(new TableEntity(Uri.UnescapeDataString(row.Groups[1].Value), Uri.UnescapeDataString(row.Groups[2].Value)) { ["Next"] = 1000L }, TableUpdateMode.Replace);
                Interlocked.Increment(ref _conflicts);
            }

            await ProcessNextAsync(message, pipeline);
        }

        [GeneratedRegex(@"/OwnerAssignment\(PartitionKey='([^']*)',RowKey='([^']*)'\)$")]
        private static partial Regex CursorRow();
    }
}
