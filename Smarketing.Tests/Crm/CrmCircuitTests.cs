using System.Text.Json.Nodes;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Core.Leads;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// A CRM that is down, rate-limited, out of daily API calls or refusing our credentials is a state of the CRM: the whole
/// handoff (real functions, real Azurite, a fake of each CRM on 127.0.0.1) waits for it on the app's fake clock and
/// resumes by itself, spending no delivery and dead-lettering nothing; only a refusal of the record itself is a per-lead
/// dead letter. The fake clock moves to each deferred message's time as the listener takes it (<see cref="ClockedHandoffEnqueuer"/>).
/// </summary>
public sealed class CrmCircuitTests
{
    private static readonly TimeSpan ShortRetry = TimeSpan.FromMilliseconds(100);

    private static readonly Fault Unavailable = new(503, "{\"message\":\"Service Unavailable\"}");

    [Theory]
    [InlineData("HubSpot")]
    [InlineData("Salesforce")]
    public async Task Handoff_CrmDownForThreeDays_EveryLeadHandedOffAfterRecoveryNothingExpiredOrDeadLettered(string provider)
    {
        await using var crm = await CrmTestApp.StartCrmAsync(provider);

        // One HTTP attempt per handoff: the test is about the days between probes, not the seconds inside one.
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm, new Dictionary<string, string?> { ["Crm:Resilience:MaxRetries"] = "0" }));
        var ids = Enumerable.Range(1, 4).Select(i => $"lead-outage-{i}").ToList();
        foreach (var id in ids)
        {
            await app.PostLeadAsync(Lead(id).ToJsonString());
        }

        var start = app.Time.GetUtcNow();
        var recovery = start + TimeSpan.FromDays(3);
        crm.FaultWhen = _ => app.Time.GetUtcNow() < recovery ? Unavailable : null;

        // A bound for a stuck run, not a speed check: about 300 probes go through real Azurite, 15 s alone, minutes on a loaded machine.
        var run = await RunAsync(app, TimeSpan.FromSeconds(300));

        Assert.True(app.Time.GetUtcNow() >= recovery, $"the run ended at {app.Time.GetUtcNow()}, before the CRM recovered at {recovery}");
        foreach (var id in ids)
        {
            Assert.Equal(LeadStatus.Sal, (await app.LedgerAsync(id))!.Status);
        }

        Assert.Equal(ids.Count, crm.RecordCount);
        Assert.Empty(run.Errors);
        Assert.Equal(0, run.Failures);
        Assert.Empty(await app.DeadLettersAsync());
        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.All(run.Conditions, c => Assert.Equal(CrmCondition.Down, c));
        Assert.False((await Circuit(app).ReadAsync(CancellationToken.None)).Open);

        // Probes backed off to the 15-minute cap, not every 30 s for three days; the reconciler sent no second message.
        var probes = crm.Requests.Count(r => r.Path.StartsWith(provider == "HubSpot" ? "/crm/" : "/services/oauth2/token", StringComparison.Ordinal));
        Assert.InRange(probes, 3 * 24 * 4, (3 * 24 * 4) + 20);
        Assert.True(run.ReconcilerRuns > 0);
        Assert.Equal(0, run.Requeued);
    }

    [Theory]
    [InlineData("HubSpot")]
    [InlineData("Salesforce")]
    public async Task Handoff_CredentialsRefusedForTwoHours_PoisonsNothingAndLeadsReachSalAfterCredentialsReturn(string provider)
    {
        await using var crm = await CrmTestApp.StartCrmAsync(provider);
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        var ids = new[] { "lead-401-1", "lead-401-2", "lead-401-3" };
        foreach (var id in ids)
        {
            await app.PostLeadAsync(Lead(id).ToJsonString());
        }

        var start = app.Time.GetUtcNow();
        var fixedAt = start + TimeSpan.FromHours(2);

        // HubSpot refuses the private app's token on every API call; Salesforce's token endpoint refuses the client.
        crm.FaultWhen = path => app.Time.GetUtcNow() >= fixedAt ? null
            : provider == "HubSpot" && path.StartsWith("/crm/", StringComparison.Ordinal)
                ? new Fault(401, "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}")
            : provider == "Salesforce" && path == "/services/oauth2/token"
                ? new Fault(400, "{\"error\":\"invalid_client\",\"error_description\":\"invalid client credentials\"}")
            : null;

        var run = await RunAsync(app, TimeSpan.FromSeconds(60));

        foreach (var id in ids)
        {
            Assert.Equal(LeadStatus.Sal, (await app.LedgerAsync(id))!.Status);
        }

        Assert.Equal(ids.Length, crm.RecordCount);
        Assert.Equal(0, run.Failures);
        Assert.Empty(await app.DeadLettersAsync());
        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
        Assert.NotEmpty(run.Conditions);
        Assert.All(run.Conditions, c => Assert.Equal(CrmCondition.CredentialsRefused, c));

        // The first probe came Crm:Circuit:CredentialsProbeDelay (5 min) after the refusal, give or take the jitter.
        var first = Deferrals(app)[0].VisibleAt - start;
        Assert.InRange(first, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Handoff_HubSpot429WithRetryAfter_DefersUntilThenHandedOffNoDeliverySpent()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        await app.PostLeadAsync(Lead("lead-429").ToJsonString());
        var start = app.Time.GetUtcNow();

        // Longer than an invocation waits in process (Crm:Resilience:MaxRetryAfter): the handoff waits for it on the queue.
        crm.Faults.Enqueue(FakeHubSpot.RateLimited(retryAfterSeconds: 120));

        var run = await RunAsync(app, TimeSpan.FromSeconds(60));

        Assert.Equal(2, run.Invocations);
        Assert.Equal(0, run.Failures);
        Assert.Equal([CrmCondition.Throttled], run.Conditions);
        var deferral = Assert.Single(Deferrals(app));
        Assert.InRange(deferral.VisibleAt - start, TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(126));
        Assert.Equal(LeadStatus.Sal, (await app.LedgerAsync("lead-429"))!.Status);
        Assert.Equal(1, crm.RecordCount);
        Assert.Empty(await app.DeadLettersAsync());
    }

    [Fact]
    public async Task Handoff_SalesforceDailyLimitSpentForAnHour_WaitsForItThenEveryLeadHandedOff()
    {
        await using var crm = await FakeSalesforce.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        var ids = new[] { "lead-limit-1", "lead-limit-2" };
        foreach (var id in ids)
        {
            await app.PostLeadAsync(Lead(id).ToJsonString());
        }

        var start = app.Time.GetUtcNow();
        var resetAt = start + TimeSpan.FromHours(1);
        crm.FaultWhen = path => app.Time.GetUtcNow() < resetAt && path.StartsWith("/services/data/", StringComparison.Ordinal) ? FakeSalesforce.RequestLimitExceeded() : null;

        var run = await RunAsync(app, TimeSpan.FromSeconds(60));

        Assert.Equal(0, run.Failures);
        Assert.NotEmpty(run.Conditions);
        Assert.All(run.Conditions, c => Assert.Equal(CrmCondition.DailyLimit, c));
        Assert.InRange(Deferrals(app)[0].VisibleAt - start, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(6));

        // One probe every 15 minutes of the hour (each one upsert refused), not one call per lead per delivery.
        var refused = crm.ApiRequests.Count - (ids.Length * crm.ApiRequestsPerNewRecord);
        Assert.InRange(refused, 4, 6);
        foreach (var id in ids)
        {
            Assert.Equal(LeadStatus.Sal, (await app.LedgerAsync(id))!.Status);
        }

        Assert.Empty(await app.DeadLettersAsync());
        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
    }

    [Fact]
    public async Task Handoff_ValidationRefusalAnswersTheProbe_PerLeadDeadLetterAndTheCircuitCloses()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        await app.PostLeadAsync(Lead("lead-probe-a").ToJsonString());
        await app.PostLeadAsync(Lead("lead-probe-b").ToJsonString());
        var upAt = app.Time.GetUtcNow() + TimeSpan.FromMinutes(1);
        var (refusal, message) = crm.RefusalFault();
        var refusedOnce = 0;
        crm.FaultWhen = path => !path.StartsWith("/crm/", StringComparison.Ordinal) ? null
            : app.Time.GetUtcNow() < upAt ? Unavailable
            : Interlocked.Exchange(ref refusedOnce, 1) == 0 ? refusal
            : null;

        var run = await RunAsync(app, TimeSpan.FromSeconds(60));

        Assert.Equal(0, run.Failures);
        var letter = Assert.Single(await app.DeadLettersAsync());
        Assert.Equal("refused", letter.Kind);
        Assert.Contains(message, letter.Reason, StringComparison.Ordinal);
        var other = letter.LeadId == "lead-probe-a" ? "lead-probe-b" : "lead-probe-a";
        Assert.Equal(LeadStatus.Sal, (await app.LedgerAsync(other))!.Status);
        Assert.Equal(LeadStatus.Mql, (await app.LedgerAsync(letter.LeadId!))!.Status);
        Assert.Contains(CrmCondition.Down, run.Conditions);
        Assert.False((await Circuit(app).ReadAsync(CancellationToken.None)).Open);
    }

    [Fact]
    public async Task Handoff_TwoAppInstances_ShareOneCircuitAndOneProbe()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        await using var first = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        var shared = CrmTestSettings.For(crm);
        shared[StorageOptions.ConnectionSetting] = first.ConnectionString;
        await using var second = await TestApp.StartAsync(settings: shared);
        crm.Down = true;

        // The first instance finds the CRM down and opens the circuit.
        await first.PostLeadAsync(Lead("lead-first").ToJsonString());
        await HandleOnceAsync(first, "lead-first");
        var state = await Circuit(first).ReadAsync(CancellationToken.None);
        Assert.True(state.Open);
        var callsBefore = crm.ApiRequests.Count;

        // The second instance's handoff waits for the same probe without calling the CRM.
        MoveTo(second, first.Time.GetUtcNow());
        await second.PostLeadAsync(Lead("lead-second").ToJsonString());
        await HandleOnceAsync(second, "lead-second");
        Assert.Equal(callsBefore, crm.ApiRequests.Count);
        var deferred = Assert.Single(Deferrals(second));
        Assert.InRange(deferred.VisibleAt - state.NextProbeAt!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(6));

        // At the probe time both instances try; exactly one probes.
        var probeTime = state.NextProbeAt!.Value + TimeSpan.FromSeconds(1);
        MoveTo(first, probeTime);
        MoveTo(second, probeTime);
        var passes = await Task.WhenAll(Circuit(first).EnterAsync(CancellationToken.None), Circuit(second).EnterAsync(CancellationToken.None));
        Assert.Single(passes, p => p.IsProbe);
        Assert.Single(passes, p => !p.Proceed);

        // Either instance's listener finishes both leads once the CRM is back.
        crm.Down = false;
        await RunAsync(first, TimeSpan.FromSeconds(60));
        Assert.Equal(LeadStatus.Sal, (await first.LedgerAsync("lead-first"))!.Status);
        Assert.Equal(LeadStatus.Sal, (await second.LedgerAsync("lead-second"))!.Status);
        Assert.False((await Circuit(second).ReadAsync(CancellationToken.None)).Open);
        Assert.Empty(await first.DeadLettersAsync());
    }

    [Fact]
    public async Task Status_CrmDownThenBack_ShowsTheOpenCircuitTheBacklogAndTheOldestMqlThenClosedAndEmpty()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm, new Dictionary<string, string?> { ["Crm:Resilience:MaxRetries"] = "0" }));
        var mqlAt = app.Time.GetUtcNow();
        await app.PostLeadAsync(Lead("lead-status-1").ToJsonString());
        await app.PostLeadAsync(Lead("lead-status-2").ToJsonString());
        var upAt = mqlAt + TimeSpan.FromMinutes(10);
        crm.FaultWhen = _ => app.Time.GetUtcNow() < upAt ? Unavailable : null;
        await HandleOnceAsync(app, "lead-status-1");
        app.Time.Advance(TimeSpan.FromSeconds(10));

        var open = await StatusAsync(app);

        Assert.Equal(200, open.Status);
        var crmState = open.Json.GetProperty("crm");
        Assert.Equal("HubSpot", crmState.GetProperty("provider").GetString());
        Assert.Equal("open", crmState.GetProperty("state").GetString());
        Assert.Equal("Down", crmState.GetProperty("condition").GetString());
        Assert.True(crmState.GetProperty("nextProbeAt").GetDateTimeOffset() > crmState.GetProperty("since").GetDateTimeOffset());
        Assert.Contains("503", crmState.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("@example.com", open.Body, StringComparison.Ordinal);
        var backlog = open.Json.GetProperty("backlog");
        Assert.Equal(2, backlog.GetProperty("pendingHandoffs").GetInt32());
        Assert.True(backlog.GetProperty("exact").GetBoolean());
        Assert.InRange(backlog.GetProperty("oldestPendingMqlAgeSeconds").GetInt64(), 10, 11);
        Assert.Equal(0, open.Json.GetProperty("deadLetters").GetProperty("count").GetInt32());

        var run = await RunAsync(app, TimeSpan.FromSeconds(300));
        Assert.Empty(run.Errors);
        var closed = await StatusAsync(app);

        Assert.Equal("closed", closed.Json.GetProperty("crm").GetProperty("state").GetString());
        Assert.Equal("Down", closed.Json.GetProperty("crm").GetProperty("lastCondition").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, closed.Json.GetProperty("crm").GetProperty("condition").ValueKind);
        Assert.Equal(0, closed.Json.GetProperty("backlog").GetProperty("pendingHandoffs").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, closed.Json.GetProperty("backlog").GetProperty("oldestPendingMqlAt").ValueKind);
    }

    [Fact]
    public async Task Status_OverHttp_NeedsTheFunctionKey()
    {
        await using var app = await TestApp.StartAsync();
        await using var server = await LocalFunctionsServer.StartAsync(app, runQueueListener: false);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var anonymous = await http.GetAsync(new Uri("/api/handoffs/status", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/handoffs/status", UriKind.Relative));
        request.Headers.Add("x-functions-key", LocalFunctionsServer.FunctionKey);
        request.Headers.Add(Smarketing.Functions.Http.AdminOptions.KeyHeader, TestApp.AdminKey);
        using var keyed = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, keyed.StatusCode);
        Assert.Contains("\"state\":\"closed\"", await keyed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defer_RealQueue_MessageHiddenUntilItsTimeAndNeverExpires()
    {
        await using var app = await TestApp.StartAsync();
        var queue = new QueueHandoffEnqueuer(app.Layout, TimeProvider.System);
        await app.PostLeadAsync(Lead("lead-hidden").ToJsonString());
        var original = (await app.Layout.Handoff.ReceiveMessagesAsync(1)).Value.Single();
        var message = HandOffMql.Parse(original.Body);

        var before = DateTimeOffset.UtcNow;
        await queue.DeferAsync(message, before + TimeSpan.FromSeconds(5), CancellationToken.None);
        await app.Layout.Handoff.DeleteMessageAsync(original.MessageId, original.PopReceipt);

        // Peeks, not receives: a peek changes no message's visibility, however slow the storage answers.
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.Equal(1, (await app.Layout.Handoff.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        PeekedMessage? copy = null;
        while (copy is null && DateTimeOffset.UtcNow - before < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            copy = (await TestApp.PeekAsync(app.Layout.Handoff)).SingleOrDefault();
        }

        Assert.NotNull(copy);
        Assert.True(DateTimeOffset.UtcNow - before >= TimeSpan.FromSeconds(4), "the copy was visible before its time");
        Assert.Equal("lead-hidden", HandOffMql.Parse(copy.Body).LeadId);
        Assert.Equal(0, copy.DequeueCount);
        Assert.True(copy.ExpiresOn > DateTimeOffset.UtcNow + TimeSpan.FromDays(3650), $"the copy expires on {copy.ExpiresOn}");
    }

    private static JsonObject Lead(string id)
    {
        // HubSpot keys contacts on the e-mail address: one address per lead.
        var lead = Leads.Article(id);
        lead["email"] = $"{id}@example.com";
        return lead;
    }

    private static void MoveTo(TestApp app, DateTimeOffset time)
    {
        if (time - app.Time.GetUtcNow() is { } ahead && ahead > TimeSpan.Zero)
        {
            app.Time.Advance(ahead);
        }
    }

    private static CrmCircuit Circuit(TestApp app) => app.Services.GetRequiredService<CrmCircuit>();

    private static IReadOnlyList<(string LeadId, DateTimeOffset VisibleAt)> Deferrals(TestApp app) =>
        app.Services.GetRequiredService<ClockedHandoffEnqueuer>().Deferrals;

    private static async Task<HttpResult> StatusAsync(TestApp app)
    {
        var request = TestApp.AdminRequest("GET", "/api/handoffs/status");
        var result = await app.Function<GetHandoffStatus>().Run(request, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    /// <summary>One delivery of the lead's waiting message to <see cref="HandOffMql"/>, deleted when it completes, as the host does.</summary>
    private static async Task HandleOnceAsync(TestApp app, string leadId)
    {
        QueueMessage? mine = null;
        foreach (var message in (await app.Layout.Handoff.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(5))).Value)
        {
            if (HandOffMql.Parse(message.Body).LeadId == leadId)
            {
                mine = message;
            }
            else
            {
                await app.Layout.Handoff.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
            }
        }

        Assert.NotNull(mine);
        await app.Function<HandOffMql>().Run(mine, CancellationToken.None);
        await app.Layout.Handoff.DeleteMessageAsync(mine.MessageId, mine.PopReceipt);
    }

    /// <summary>
    /// The host's listener on <c>mql-handoff</c> until the queue is empty, with the reconciler's timer run every minute of
    /// the fake clock, noting each open circuit's condition after an invocation.
    /// </summary>
    private static async Task<RunResult> RunAsync(TestApp app, TimeSpan timeout)
    {
        var reconciler = app.Services.GetRequiredService<HandoffReconciler>();
        var circuit = Circuit(app);
        var result = new RunResult();
        var lastReconcile = app.Time.GetUtcNow();
        var listener = new QueueTriggerHost(app.Layout.Handoff, app.Layout.HandoffPoison, HostQueueSettings.FromHostJson(), async (message, ct) =>
        {
            ClockedHandoffEnqueuer.FollowClock(app.Time, message.Body);
            if (app.Time.GetUtcNow() - lastReconcile >= TimeSpan.FromMinutes(1))
            {
                result.Requeued += await reconciler.ReconcileAsync(ct);
                result.ReconcilerRuns++;
                lastReconcile = app.Time.GetUtcNow();
            }

            await app.Function<HandOffMql>().Run(message, ct);
            if ((await circuit.ReadAsync(ct)) is { Open: true, Condition: { } condition })
            {
                result.Conditions.Add(condition);
            }
        })
        {
            RetryDelay = ShortRetry,
        };
        await listener.RunUntilEmptyAsync(timeout);
        result.Invocations = listener.Invocations;
        result.Failures = listener.Failures;
        result.Errors.AddRange(listener.Errors.Select(e => e.ToString()));
        return result;
    }

    private sealed class RunResult
    {
        public int Invocations { get; set; }

        public int Failures { get; set; }

        public int Requeued { get; set; }

        public int ReconcilerRuns { get; set; }

        public List<CrmCondition> Conditions { get; } = [];

        public List<string> Errors { get; } = [];
    }
}
