using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Functions;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Intake;

/// <summary>Exactly-once effects under duplicates, concurrency and a queue that fails between the two writes.</summary>
public sealed class DeliveryGuaranteeTests
{
    // Runs the timer function as the host would and answers how many handoffs it put on the queue.
    private static async Task<int> ReconcileAsync(TestApp app)
    {
        var before = (await app.Layout.Handoff.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        await app.Function<ReconcileHandoffs>().Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        return (await app.Layout.Handoff.GetPropertiesAsync()).Value.ApproximateMessagesCount - before;
    }

    private static List<string> Moves(HttpResult lead) =>
        lead.Json.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("to").GetString()!).ToList();

    [Fact]
    public async Task SameDelivery_SentConcurrentlyFromEightTasks_OneTransitionOneMessage()
    {
        await using var app = await TestApp.StartAsync();
        var body = Leads.Article().ToJsonString();
        using var start = new ManualResetEventSlim();

        var deliveries = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await app.PostLeadAsync(body, webhookId: "msg_concurrent");
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(deliveries);

        Assert.All(responses, r => Assert.Equal(202, r.Status));
        Assert.Equal(1, responses.Count(r => r.Json.GetProperty("handoffEnqueued").GetBoolean()));
        Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.Equal(["MQL"], Moves(await app.GetLeadAsync("lead-article-1")));
    }

    [Fact]
    public async Task DifferentDeliveries_UpdatingOneLeadConcurrently_NoUpdateLost()
    {
        await using var app = await TestApp.StartAsync();
        const int writers = 16;
        using var start = new ManualResetEventSlim();

        var deliveries = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            var lead = Leads.ScoringExactly70();
            lead["jobTitle"] = $"Title {i}";
            start.Wait();
            return await app.PostLeadAsync(lead.ToJsonString(), webhookId: $"msg_writer_{i}");
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(deliveries);

        Assert.All(responses, r => Assert.Equal(202, r.Status));
        Assert.All(responses, r => Assert.False(r.Json.GetProperty("duplicate").GetBoolean()));
        var record = await app.Services.GetRequiredService<Smarketing.Core.Leads.ILeadLedger>().FindAsync("lead-seventy", CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, writers).Select(i => $"Generic:msg_writer_{i}").Order(StringComparer.Ordinal), record!.RecentDeliveries.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SameDelivery_AfterLaterDeliveries_AnsweredAsDuplicateWithNoEffect()
    {
        await using var app = await TestApp.StartAsync();
        var first = Leads.ScoringExactly70();
        var second = Leads.ScoringExactly70();
        second["jobTitle"] = "VP Revenue";
        await app.PostLeadAsync(first.ToJsonString(), webhookId: "msg_first");
        await app.PostLeadAsync(second.ToJsonString(), webhookId: "msg_second");
        var before = Assert.Single(await TestApp.RowsAsync(app.Layout.LeadLedger));

        // The vendor retries the first delivery late, out of order.
        var replay = await app.PostLeadAsync(first.ToJsonString(), webhookId: "msg_first");

        Assert.Equal(202, replay.Status);
        Assert.True(replay.Json.GetProperty("duplicate").GetBoolean());
        var after = Assert.Single(await TestApp.RowsAsync(app.Layout.LeadLedger));
        Assert.Equal(before.ETag, after.ETag);
    }

    [Fact]
    public async Task EnqueueFails_AfterTheLedgerWrite_503ThenTheVendorsRetryHandsTheLeadOff()
    {
        var fault = FaultInjectionPolicy.QueueSends();
        await using var app = await TestApp.StartAsync(b => b.Services.ConfigureAll<QueueClientOptions>(o => o.AddPolicy(fault, Azure.Core.HttpPipelinePosition.PerCall)));
        var body = Leads.Article().ToJsonString();

        fault.Failing = true;
        var failed = await app.PostLeadAsync(body, webhookId: "msg_retry");
        Assert.Equal(503, failed.Status);
        Assert.Equal(1, fault.Injected);
        var pending = (await app.GetLeadAsync("lead-article-1")).Json;
        Assert.Equal("MQL", pending.GetProperty("status").GetString());
        Assert.True(pending.GetProperty("handoffPending").GetBoolean());
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));

        fault.Failing = false;
        var retried = await app.PostLeadAsync(body, webhookId: "msg_retry");
        Assert.Equal(202, retried.Status);
        Assert.True(retried.Json.GetProperty("handoffEnqueued").GetBoolean());
        Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["MQL", "SAL"], Moves(await app.GetLeadAsync("lead-article-1")));
        Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
    }

    [Fact]
    public async Task EnqueueFails_AndTheVendorNeverRetries_TheReconcilerHandsTheLeadOffAfterTheGracePeriod()
    {
        var fault = FaultInjectionPolicy.QueueSends();
        await using var app = await TestApp.StartAsync(b => b.Services.ConfigureAll<QueueClientOptions>(o => o.AddPolicy(fault, Azure.Core.HttpPipelinePosition.PerCall)));
        fault.Failing = true;
        Assert.Equal(503, (await app.PostLeadAsync(Leads.Article().ToJsonString())).Status);
        fault.Failing = false;

        // Within the grace period the reconciler leaves the lead alone.
        Assert.Equal(0, await ReconcileAsync(app));

        app.Time.Advance(HandoffOptions.DefaultReconcileGrace);
        Assert.Equal(1, await ReconcileAsync(app));
        Assert.Equal(0, await ReconcileAsync(app));
        Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["MQL", "SAL"], Moves(await app.GetLeadAsync("lead-article-1")));
        app.Time.Advance(HandoffOptions.DefaultReconcileGrace);
        Assert.Equal(0, await ReconcileAsync(app));
    }

    [Fact]
    public async Task Reconciler_LeadsAlreadyAttemptedOrNotMql_LeftAlone()
    {
        await using var app = await TestApp.StartAsync();
        await app.PostLeadAsync(Leads.ScoringExactly70().ToJsonString());
        await app.PostLeadAsync(Leads.Article("lead-handed-off").ToJsonString());
        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        app.Time.Advance(HandoffOptions.DefaultReconcileGrace * 3);

        var requeued = await ReconcileAsync(app);

        Assert.Equal(0, requeued);
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
    }

    [Fact]
    public async Task Reconciler_MessageStillWaitingInTheQueue_NoSecondMessage()
    {
        await using var app = await TestApp.StartAsync();
        await app.PostLeadAsync(Leads.Article().ToJsonString());

        // The host was down for longer than the grace period: the message still waits, so nothing is added.
        app.Time.Advance(HandoffOptions.DefaultReconcileGrace * 3);
        Assert.Equal(0, await ReconcileAsync(app));
        Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));

        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, listener.Failures);
        Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Equal(["MQL", "SAL"], Moves(await app.GetLeadAsync("lead-article-1")));
        app.Time.Advance(HandoffOptions.DefaultReconcileGrace);
        Assert.Equal(0, await ReconcileAsync(app));
    }

    [Fact]
    public async Task Reconciler_ConfiguredGrace_LeadWhoseEnqueueFailedIsHandedOffAfterThatGrace()
    {
        var fault = FaultInjectionPolicy.QueueSends();
        await using var app = await TestApp.StartAsync(
            b => b.Services.ConfigureAll<QueueClientOptions>(o => o.AddPolicy(fault, Azure.Core.HttpPipelinePosition.PerCall)),
            new Dictionary<string, string?> { ["Handoff:ReconcileGrace"] = "00:00:20" });
        fault.Failing = true;
        Assert.Equal(503, (await app.PostLeadAsync(Leads.Article().ToJsonString())).Status);
        fault.Failing = false;

        app.Time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(0, await ReconcileAsync(app));
        app.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await ReconcileAsync(app));

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["MQL", "SAL"], Moves(await app.GetLeadAsync("lead-article-1")));
    }
}
