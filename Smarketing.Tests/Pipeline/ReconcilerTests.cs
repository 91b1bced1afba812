using System.Diagnostics;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Core.Leads;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Smarketing.Tests.Pipeline;

/// <summary>
/// The reconciler on Azurite: it reads only the due entries of the index of pending handoffs (never the ledger as a
/// whole), sends no second message for a handoff still waiting in the queue, and resumes failed handoffs on a schedule.
/// </summary>
public sealed class ReconcilerTests(ITestOutputHelper output)
{
    private const int Backlog = 5000;

    // Counts the requests the app's table clients send to the LeadLedger table.
    private sealed class LedgerRequestCounter : HttpPipelinePolicy
    {
        private int _queries;
        private int _requests;

        public int Requests => _requests;

        public int Queries => _queries;

        public void Reset()
        {
            _requests = 0;
            _queries = 0;
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Count(HttpMessage message)
        {
            var path = message.Request.Uri.Path;
            if (path.Contains("/" + StorageLayout.LeadLedgerTable, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _requests);

                // A point read names PartitionKey and RowKey in the path; a query does not.
                if (message.Request.Method == RequestMethod.Get && !path.Contains("PartitionKey=", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _queries);
                }
            }
        }
    }

    private static async Task<int> ReconcileAsync(TestApp app)
    {
        var before = (await app.Layout.Handoff.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        await app.Function<ReconcileHandoffs>().Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        return (await app.Layout.Handoff.GetPropertiesAsync()).Value.ApproximateMessagesCount - before;
    }

    private static Task<TestApp> StartAsync(LedgerRequestCounter counter) =>
        TestApp.StartAsync(b => b.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(counter, HttpPipelinePosition.PerCall)));

    [Fact]
    public async Task Reconcile_BacklogOfQueuedHandoffsOlderThanTheWindow_NoSecondMessageAndNoLedgerScan()
    {
        var counter = new LedgerRequestCounter();
        await using var app = await StartAsync(counter);
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        var template = (await app.Services.GetRequiredService<ILeadLedger>().FindAsync("lead-article-1", CancellationToken.None))!;
        var message = template.ToHandoffMessage();
        var index = app.Services.GetRequiredService<IPendingHandoffIndex>();

        // What the intake writes for each MQL (index entry, ledger row, message), written in bulk.
        var clock = Stopwatch.StartNew();
        var ids = Enumerable.Range(0, Backlog).Select(i => $"lead-backlog-{i:D5}").ToList();
        await index.AddAsync([.. ids.Select(id => new PendingHandoff { LeadId = id, DueAt = message.MqlAt + HandoffOptions.DefaultReconcileGrace })], CancellationToken.None);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, ct) =>
        {
            await app.Layout.LeadLedger.AddEntityAsync(TableLeadLedger.ToEntity(template.ToMemento() with { LeadId = id, ETag = null }), ct);
            await app.Layout.Handoff.SendMessageAsync(JsonSerializer.Serialize(message with { LeadId = id }, SmarketingJson.Options), cancellationToken: ct);
        });
        output.WriteLine($"{Backlog} MQLs written in {clock.Elapsed.TotalSeconds:F1} s");

        // The host stalls (a slow CRM): every message waits past the reconciler's window.
        app.Time.Advance(HandoffOptions.DefaultReconcileGrace * 4);
        Assert.Equal(0, await ReconcileAsync(app));

        counter.Reset();
        clock.Restart();
        Assert.Equal(0, await ReconcileAsync(app));
        output.WriteLine($"steady-state run: {clock.Elapsed.TotalMilliseconds:F0} ms, {counter.Requests} ledger requests");
        Assert.Equal(0, counter.Requests);
        Assert.Equal(Backlog + 1, (await app.Layout.Handoff.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Reconcile_HandoffsDue_ReadsTheLedgerByPointReadsOnly()
    {
        var counter = new LedgerRequestCounter();
        await using var app = await StartAsync(counter);
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        await app.PostLeadAsync(Leads.Article("lead-article-2").ToJsonString());
        await app.Layout.Handoff.ClearMessagesAsync();
        await ReconcileAsync(app);
        app.Time.Advance(HandoffOptions.DefaultReconcileGrace);
        counter.Reset();

        Assert.Equal(2, await ReconcileAsync(app));

        Assert.Equal(0, counter.Queries);
        Assert.InRange(counter.Requests, 1, 8);
    }

    [Fact]
    public async Task Reconcile_FailedHandoffWhoseMessageIsGone_ResumedOnTheScheduleAndNotBefore()
    {
        await using var app = await TestApp.StartAsync();
        var ledger = app.Services.GetRequiredService<ILeadLedger>();
        await app.PostLeadAsync(Leads.Article().ToJsonString());

        // Every attempt failed and the message went to the dead letters (retries-exhausted).
        await app.Layout.Handoff.ClearMessagesAsync();
        app.Time.Advance(TimeSpan.FromMinutes(2));
        var failedAt = await FailAsync(ledger, app.Time.GetUtcNow());

        app.Time.SetUtcNow(failedAt + Lead.ResumeDelays[0] - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await ReconcileAsync(app));
        app.Time.SetUtcNow(failedAt + Lead.ResumeDelays[0]);
        Assert.Equal(1, await ReconcileAsync(app));
        Assert.Equal(0, await ReconcileAsync(app));

        // The resumed attempt fails too: the next resume waits longer.
        await app.Layout.Handoff.ClearMessagesAsync();
        failedAt = await FailAsync(ledger, app.Time.GetUtcNow());
        app.Time.SetUtcNow(failedAt + Lead.ResumeDelays[1] - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await ReconcileAsync(app));
        app.Time.SetUtcNow(failedAt + Lead.ResumeDelays[1]);
        Assert.Equal(1, await ReconcileAsync(app));

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("SAL", (await app.GetLeadAsync("lead-article-1")).Json.GetProperty("status").GetString());
        app.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await ReconcileAsync(app));
    }

    [Fact]
    public async Task Reconcile_HandoffRefusedByTheCrm_NotResumed()
    {
        await using var app = await TestApp.StartAsync();
        var ledger = app.Services.GetRequiredService<ILeadLedger>();
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        await app.Layout.Handoff.ClearMessagesAsync();
        await FailAsync(ledger, app.Time.GetUtcNow(), refused: true);

        foreach (var _ in Enumerable.Range(0, 4))
        {
            app.Time.Advance(TimeSpan.FromHours(7));
            Assert.Equal(0, await ReconcileAsync(app));
        }

        Assert.NotEmpty(await TestApp.RowsAsync(app.Layout.PendingHandoffs));
    }

    [Fact]
    public async Task Reconcile_CrmCircuitOpen_PausedUntilItClosesThenResumes()
    {
        await using var app = await TestApp.StartAsync();
        var ledger = app.Services.GetRequiredService<ILeadLedger>();
        var states = app.Services.GetRequiredService<ICrmStateStore>();
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        await app.Layout.Handoff.ClearMessagesAsync();
        var failedAt = await FailAsync(ledger, app.Time.GetUtcNow());
        var closed = await states.ReadAsync("Sandbox", CancellationToken.None);
        Assert.True(await states.TryWriteAsync(closed with { Open = true, Condition = CrmCondition.Down, Since = failedAt, NextProbeAt = failedAt + TimeSpan.FromDays(1) }, CancellationToken.None));

        // Due, with no message waiting: still nothing sent while every handoff waits for the CRM's probe.
        app.Time.SetUtcNow(failedAt + Lead.ResumeDelays[0]);
        Assert.Equal(0, await ReconcileAsync(app));

        var open = await states.ReadAsync("Sandbox", CancellationToken.None);
        Assert.True(await states.TryWriteAsync(open with { Open = false }, CancellationToken.None));
        Assert.Equal(1, await ReconcileAsync(app));
    }

    private static async Task<DateTimeOffset> FailAsync(ILeadLedger ledger, DateTimeOffset at, bool refused = false)
    {
        await ledger.UpdateAsync(
            "lead-article-1",
            current => current!.RecordHandoffFailure("CRM down", at, refused) ? LedgerDecision.Save(current, true) : LedgerDecision.Keep(false),
            CancellationToken.None);
        return at;
    }
}
