using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Functions.Feedback;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// The summary is open to any holder of its key, so its cost must not grow with the ledger: it reads the funnel counters
/// of its window, kept at write time, never a ledger row; each move is counted once whatever crashes or retries; and
/// one instance computes a bounded number of summaries at once.
/// </summary>
public sealed class BoundedSummaryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Campaign = "2026-q4-webinar";
    private const string Window = "?from=2026-11-01&to=2026-12-01";

    [Fact]
    public async Task Summary_SmallAndLargeLedger_ReadsNoLedgerOrFeedbackRowAndTheSameStorageRequests()
    {
        var recorder = new RequestRecorder();
        await using var app = await StartAsync(recorder);
        await HandOffAsync(app, Enumerable.Range(1, 20).Select(i => $"small-{i}"));
        await DisqualifyAsync(app, "small-1");
        var small = await RecordSummaryAsync(app, recorder);

        await HandOffAsync(app, Enumerable.Range(1, 180).Select(i => $"large-{i}"));
        foreach (var i in Enumerable.Range(1, 10))
        {
            await DisqualifyAsync(app, $"large-{i}");
        }

        var large = await RecordSummaryAsync(app, recorder);
        output.WriteLine($"summary of 20 leads: {small.Requests.Count} storage request(s); of 200 leads: {large.Requests.Count}");

        Assert.Equal((20, 1), (small.Mqls, small.Disqualifications));
        Assert.Equal((200, 200, 11), (large.Mqls, large.Sals, large.Disqualifications));
        Assert.DoesNotContain(small.Requests.Concat(large.Requests), path =>
            path.Contains(StorageLayout.LeadLedgerTable, StringComparison.Ordinal) ||
            path.Contains(StorageLayout.DisqualificationFeedbackTable, StringComparison.Ordinal));
        Assert.Contains(large.Requests, path => path.Contains(StorageLayout.FunnelCountersTable, StringComparison.Ordinal));
        Assert.Equal(small.Requests.Count, large.Requests.Count);
    }

    [Fact]
    public async Task Counters_ConcurrentHandoffsOfOneCampaignAndRep_EveryMoveCountedExactlyOnce()
    {
        await using var app = await StartAsync();
        foreach (var i in Enumerable.Range(1, 40))
        {
            Assert.Equal(202, (await app.PostLeadAsync(Lead($"busy-{i}").ToJsonString())).Status);
        }

        // Eight handoffs at once, all on one day, one campaign and one rep: the counters' partition is contended.
        var listener = app.HandoffListener(concurrency: 8);
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, listener.Failures);

        var summary = (await app.GetSummaryAsync(Window)).Json;
        var totals = summary.GetProperty("totals");
        Assert.Equal(40, totals.GetProperty("mqls").GetInt32());
        Assert.Equal(40, totals.GetProperty("sals").GetInt32());
        Assert.Equal(40, totals.GetProperty("speedToLead").GetProperty("count").GetInt32());
        var rep = Assert.Single(summary.GetProperty("speedToLeadByRep").EnumerateArray());
        Assert.Equal(40, rep.GetProperty("speedToLead").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Counters_CrashBetweenLedgerAndCounters_ReconcilerCountsOnceAndARecountAddsNothing()
    {
        var fault = new FaultInjectionPolicy(m => m.Request.Uri.Path.Contains(StorageLayout.FunnelCountersTable, StringComparison.Ordinal));
        await using var app = await StartAsync(configure: b => b.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(fault, HttpPipelinePosition.PerCall)));
        await HandOffAsync(app, ["counted-1", "counted-2"]);

        // The moves to MQL and SAL reach the ledger, their counts do not (as if the process died between the two writes).
        Assert.Equal(202, (await app.PostLeadAsync(Lead("crashed").ToJsonString())).Status);
        fault.Failing = true;
        var handoff = app.HandoffListener();
        await handoff.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));
        fault.Failing = false;
        Assert.Equal(0, handoff.Failures);
        Assert.True(fault.Injected > 0);
        Assert.Equal(2, await MqlsAsync(app));
        var row = (await app.Layout.LeadLedger.GetEntityAsync<TableEntity>("crashed", TableLeadLedger.RowKey)).Value;
        Assert.True(row.GetBoolean("CountsPending"));

        var reconciler = app.Services.GetRequiredService<FunnelCounterReconciler>();
        await reconciler.ReconcileAsync(CancellationToken.None);
        Assert.Equal(3, await MqlsAsync(app));

        // A crash after the counters took the moves but before the ledger said so: counting again adds nothing.
        await app.Layout.LeadLedger.UpdateEntityAsync(
            new TableEntity("counted-1", TableLeadLedger.RowKey) { ["CountedMoves"] = 0, ["CountsPending"] = true },
            Azure.ETag.All,
            TableUpdateMode.Merge);
        Assert.Equal(1, await reconciler.ReconcileAsync(CancellationToken.None));
        Assert.Equal(0, await reconciler.ReconcileAsync(CancellationToken.None));
        var totals = (await app.GetSummaryAsync(Window)).Json.GetProperty("totals");
        Assert.Equal(3, totals.GetProperty("mqls").GetInt32());
        Assert.Equal(3, totals.GetProperty("sals").GetInt32());
    }

    [Fact]
    public async Task Counters_ConnectionDroppedWhileCounting_HandoffStillSucceeds_ReconcilerCountsLater()
    {
        var fault = new FaultInjectionPolicy(
            m => m.Request.Uri.Path.Contains(StorageLayout.FunnelCountersTable, StringComparison.Ordinal),
            () => new IOException("Injected fault: the connection was reset."));
        await using var app = await StartAsync(configure: b => b.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(fault, HttpPipelinePosition.PerCall)));
        Assert.Equal(202, (await app.PostLeadAsync(Lead("dropped").ToJsonString())).Status);

        fault.Failing = true;
        var handoff = app.HandoffListener();
        await handoff.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));
        fault.Failing = false;

        Assert.True(fault.Injected > 0);
        Assert.Equal(0, handoff.Failures);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.HandoffDeadLetters));
        var row = (await app.Layout.LeadLedger.GetEntityAsync<TableEntity>("dropped", TableLeadLedger.RowKey)).Value;
        Assert.Equal("SAL", row.GetString("Status"));
        Assert.True(row.GetBoolean("CountsPending"));
        await app.Services.GetRequiredService<FunnelCounterReconciler>().ReconcileAsync(CancellationToken.None);
        Assert.Equal(1, await MqlsAsync(app));
    }

    [Fact]
    public async Task Intake_Mql_AnsweredWithoutTouchingTheCounters_TheHandoffCountsItsMoves()
    {
        var recorder = new RequestRecorder();
        await using var app = await StartAsync(recorder);

        recorder.Start();
        Assert.Equal(202, (await app.PostLeadAsync(Lead("fast-path").ToJsonString())).Status);
        var duringIntake = recorder.Stop();
        Assert.DoesNotContain(duringIntake, r => r.Contains(StorageLayout.FunnelCountersTable, StringComparison.Ordinal));
        Assert.Equal(0, await MqlsAsync(app));

        await HandOffAsync(app, []);
        Assert.Equal(1, await MqlsAsync(app));
    }

    [Fact]
    public async Task Counters_OneMoveCountedEightTimesAtOnce_CountedOnce()
    {
        await using var app = await StartAsync();
        var counters = app.Services.GetRequiredService<TableFunnelCounters>();
        var at = new DateTimeOffset(2026, 11, 5, 10, 2, 0, TimeSpan.Zero);
        var move = new Smarketing.Core.Feedback.FunnelMove
        {
            LeadId = "retried", Sequence = 2, At = at, To = Smarketing.Core.Leads.LeadStatus.Sal, Campaign = Campaign, Handoff = ("rep-ada", 1_500L),
        };

        var counted = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => counters.CountAsync(move, CancellationToken.None))));

        Assert.Equal(1, counted.Count(c => c));
        var window = new Smarketing.Core.Feedback.FeedbackSummaryQuery { From = at.AddDays(-1), To = at.AddDays(1) };
        var rows = new List<Smarketing.Core.Feedback.FunnelCounts>();
        await foreach (var row in counters.ReadAsync(window, CancellationToken.None))
        {
            rows.Add(row);
        }

        Assert.Equal(1, rows.Where(r => r.OwnerId is null).Sum(r => r.Sals));
        Assert.Equal(1, rows.Where(r => r.OwnerId == "rep-ada").Sum(r => r.SpeedToLead.Count));
    }

    [Fact]
    public async Task Backfill_LedgerRowsFromBeforeTheCounters_CountedOnceThenMarkedDone()
    {
        await using var app = await StartAsync();
        await HandOffAsync(app, ["old-1", "old-2", "old-3"]);

        // Make the account look as it did before the counters: no counter rows, ledger rows without the count columns.
        foreach (var counter in await TestApp.RowsAsync(app.Layout.FunnelCounters))
        {
            await app.Layout.FunnelCounters.DeleteEntityAsync(counter.PartitionKey, counter.RowKey);
        }

        foreach (var id in new[] { "old-1", "old-2", "old-3" })
        {
            var ledger = (await app.Layout.LeadLedger.GetEntityAsync<TableEntity>(id, TableLeadLedger.RowKey)).Value;
            ledger.Remove("CountedMoves");
            ledger.Remove("CountsPending");
            await app.Layout.LeadLedger.UpdateEntityAsync(ledger, Azure.ETag.All, TableUpdateMode.Replace);
        }

        Assert.Equal(0, await MqlsAsync(app));

        var reconciler = app.Services.GetRequiredService<FunnelCounterReconciler>();
        Assert.Equal(3, await reconciler.ReconcileAsync(CancellationToken.None));
        Assert.Equal(0, await reconciler.ReconcileAsync(CancellationToken.None));
        Assert.True((await app.Layout.FunnelCounters.GetEntityIfExistsAsync<TableEntity>(FunnelCounterReconciler.MetaPartition, FunnelCounterReconciler.BackfillRow)).HasValue);
        var totals = (await app.GetSummaryAsync(Window)).Json.GetProperty("totals");
        Assert.Equal(3, totals.GetProperty("mqls").GetInt32());
        Assert.Equal(3, totals.GetProperty("sals").GetInt32());
        Assert.Equal(3, totals.GetProperty("speedToLead").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Counters_MovesRecountedAfterTheLeadChangedCampaign_CountedOnceUnderTheCampaignOfTheirTime()
    {
        await using var app = await StartAsync(settings: new Dictionary<string, string?> { ["Lifecycle:RecycleCooldown"] = "1.00:00:00" });
        await HandOffAsync(app, ["moved-on"]);
        await DisqualifyAsync(app, "moved-on");

        // The counters took the moves, the ledger did not record so (a crash, or a concurrent save in between).
        await app.Layout.LeadLedger.UpdateEntityAsync(
            new TableEntity("moved-on", TableLeadLedger.RowKey) { ["CountedMoves"] = 0, ["CountsPending"] = true },
            Azure.ETag.All,
            TableUpdateMode.Merge);

        // Two days on, the lead comes back qualified from another campaign: recycled, MQL again, a new MQL snapshot.
        app.Time.Advance(TimeSpan.FromDays(2));
        var comeback = Lead("moved-on");
        comeback["campaign"] = "2026-q4-trade-show";
        Assert.Equal(202, (await app.PostLeadAsync(comeback.ToJsonString())).Status);
        await app.Services.GetRequiredService<FunnelCounterReconciler>().ReconcileAsync(CancellationToken.None);

        var summary = (await app.GetSummaryAsync(Window)).Json;
        var totals = summary.GetProperty("totals");
        Assert.Equal(2, totals.GetProperty("mqls").GetInt32());
        Assert.Equal(1, totals.GetProperty("sals").GetInt32());
        Assert.Equal(1, totals.GetProperty("disqualifications").GetInt32());
    }

    [Fact]
    public async Task Summary_BeyondTheConcurrencyLimit_429ProblemWithRetryAfter()
    {
        await using var app = await StartAsync(settings: new Dictionary<string, string?> { ["Feedback:Summary:MaxConcurrent"] = "1" });
        var slots = app.Services.GetRequiredService<SummaryConcurrency>();

        Assert.True(slots.TryEnter());
        var refused = await app.GetSummaryAsync(Window);
        slots.Exit();
        var answered = await app.GetSummaryAsync(Window);

        Assert.Equal(429, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType);
        Assert.Equal("2", refused.Headers["Retry-After"].ToString());
        Assert.Contains("Feedback:Summary:MaxConcurrent", refused.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, answered.Status);
    }

    private static Task<TestApp> StartAsync(
        RequestRecorder? recorder = null,
        Action<Microsoft.Extensions.Hosting.IHostApplicationBuilder>? configure = null,
        IDictionary<string, string?>? settings = null)
    {
        var all = FeedbackTesting.Settings();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return TestApp.StartAsync(
            b =>
            {
                if (recorder is not null)
                {
                    b.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(recorder, HttpPipelinePosition.PerCall));
                }

                configure?.Invoke(b);
            },
            all);
    }

    private static System.Text.Json.Nodes.JsonObject Lead(string id)
    {
        var lead = Leads.Article(id);
        lead["email"] = id + "@example.com";
        lead["campaign"] = Campaign;
        lead["ownerId"] = "rep-ada";
        return lead;
    }

    private static async Task HandOffAsync(TestApp app, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            Assert.Equal(202, (await app.PostLeadAsync(Lead(id).ToJsonString())).Status);
        }

        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, listener.Failures);
    }

    private static async Task<int> MqlsAsync(TestApp app) =>
        (await app.GetSummaryAsync(Window)).Json.GetProperty("totals").GetProperty("mqls").GetInt32();

    private static async Task DisqualifyAsync(TestApp app, string id)
    {
        var response = await app.PostFeedbackAsync($$"""{"leadId":"{{id}}","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""");
        Assert.True(response.Status == 200, response.Body);
    }

    private static async Task<(int Mqls, int Sals, int Disqualifications, List<string> Requests)> RecordSummaryAsync(TestApp app, RequestRecorder recorder)
    {
        recorder.Start();
        var response = await app.GetSummaryAsync(Window);
        var requests = recorder.Stop();
        Assert.Equal(200, response.Status);
        var totals = response.Json.GetProperty("totals");
        return (totals.GetProperty("mqls").GetInt32(), totals.GetProperty("sals").GetInt32(), totals.GetProperty("disqualifications").GetInt32(), requests);
    }

    /// <summary>Records the path of every table request made while recording.</summary>
    private sealed class RequestRecorder : HttpPipelinePolicy
    {
        private ConcurrentQueue<string>? _paths;

        public void Start() => _paths = new ConcurrentQueue<string>();

        public List<string> Stop()
        {
            var paths = _paths ?? new ConcurrentQueue<string>();
            _paths = null;
            return [.. paths];
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            _paths?.Enqueue(message.Request.Uri.Path);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            _paths?.Enqueue(message.Request.Uri.Path);
            return ProcessNextAsync(message, pipeline);
        }
    }
}
