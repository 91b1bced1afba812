using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Sandbox;
using Smarketing.Core.Leads;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>The poison listing and replay admin functions on real Azurite.</summary>
public sealed class PoisonReplayTests
{
    private static readonly TimeSpan ShortRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Three poisoned handoffs of three kinds: lead-refused (the CRM refused it), lead-conflict (every
    /// delivery failed with a conflict of that record alone, not a state of the CRM) and a message that is not JSON.
    /// </summary>
    private static async Task<(TestApp App, SwitchableCrm Crm)> StartWithPoisonAsync()
    {
        SwitchableCrm? crm = null;
        var app = await TestApp.StartAsync(b => b.Services.AddSingleton<ICrmClient>(sp => crm = new SwitchableCrm(sp.GetRequiredService<SandboxCrmClient>())));
        await app.PostLeadAsync(Leads.Article("lead-refused").ToJsonString());
        await app.PostLeadAsync(Leads.Article("lead-conflict").ToJsonString());
        await app.Layout.Handoff.SendMessageAsync("not json at all");
        _ = app.Services.GetRequiredService<ICrmClient>();
        crm!.Fail = lead => lead.ExternalId switch
        {
            "lead-refused" => new CrmPermanentException("REQUIRED_FIELD_MISSING: Required fields are missing: [Region__c] (fields: Region__c)"),
            "lead-conflict" => new CrmTransientException("Sandbox answered HTTP 409 to the upsert of lead 'lead-conflict'", 409, null),
            _ => null,
        };
        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(60));
        crm.Fail = _ => null;
        return (app, crm);
    }

    private static Dictionary<string, JsonElement> ByLead(HttpResult listing) =>
        listing.Json.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("leadId").GetString() ?? "(none)");

    [Fact]
    public async Task List_ThreeKindsOfPoison_EachWithItsReasonAndNothingChanges()
    {
        var (app, _) = await StartWithPoisonAsync();
        await using var _app = app;

        var first = await app.ListPoisonAsync();
        var second = await app.ListPoisonAsync();

        Assert.Equal(200, first.Status);
        Assert.Equal(3, first.Json.GetProperty("count").GetInt32());
        var items = ByLead(first);
        Assert.Equal("refused", items["lead-refused"].GetProperty("kind").GetString());
        Assert.Equal("Sandbox refused the record: REQUIRED_FIELD_MISSING: Required fields are missing: [Region__c] (fields: Region__c)", items["lead-refused"].GetProperty("reason").GetString());
        Assert.Equal("MQL", items["lead-refused"].GetProperty("leadStatus").GetString());
        Assert.Equal("retries-exhausted", items["lead-conflict"].GetProperty("kind").GetString());
        Assert.Contains("HTTP 409", items["lead-conflict"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HostQueueSettings.FromHostJson().MaxDequeueCount, items["lead-conflict"].GetProperty("handoffFailures").GetInt32());
        Assert.Contains("not valid JSON", items["(none)"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            first.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("messageId").GetString()).Order(),
            second.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("messageId").GetString()).Order());
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.DoesNotContain("test@example.com", first.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAndReplay_LeadHandedOffSinceByTheReconcilersResume_ResolvedRowRemovedAndNothingSentTwice()
    {
        var (app, crm) = await StartWithPoisonAsync();
        await using var _app = app;

        // The reconciler resumes the failed handoff after its first resume delay, and this time it goes through.
        app.Time.Advance(Lead.ResumeDelays[0] + TimeSpan.FromMinutes(1));
        await app.Function<ReconcileHandoffs>().Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("SAL", (await app.GetLeadAsync("lead-conflict")).Json.GetProperty("status").GetString());
        var callsBefore = crm.Calls;

        var listed = ByLead(await app.ListPoisonAsync());
        Assert.True(listed["lead-conflict"].GetProperty("resolved").GetBoolean());
        Assert.False(listed["lead-refused"].GetProperty("resolved").GetBoolean());

        var replay = await app.ReplayAsync("{\"leadIds\": [\"lead-conflict\"]}");

        Assert.Equal(200, replay.Status);
        Assert.Equal(0, replay.Json.GetProperty("replayedCount").GetInt32());
        Assert.Equal("lead-conflict", Assert.Single(replay.Json.GetProperty("alreadyHandedOff").EnumerateArray()).GetProperty("leadId").GetString());
        Assert.Empty(replay.Json.GetProperty("notFound").GetProperty("leadIds").EnumerateArray());
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.DoesNotContain("lead-conflict", ByLead(await app.ListPoisonAsync()).Keys);
        Assert.Equal(callsBefore, crm.Calls);
    }

    [Fact]
    public async Task Replay_ByMessageId_OnlyThatHandoffRequeuedAndHandedOff()
    {
        var (app, _) = await StartWithPoisonAsync();
        await using var _app = app;
        var messageId = ByLead(await app.ListPoisonAsync())["lead-refused"].GetProperty("messageId").GetString();

        var replay = await app.ReplayAsync($"{{\"messageIds\": [\"{messageId}\", \"no-such-message\"]}}");
        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(200, replay.Status);
        Assert.Equal("lead-refused", Assert.Single(replay.Json.GetProperty("replayed").EnumerateArray()).GetProperty("leadId").GetString());
        Assert.Equal("no-such-message", Assert.Single(replay.Json.GetProperty("notFound").GetProperty("messageIds").EnumerateArray()).GetString());
        Assert.Equal("SAL", (await app.GetLeadAsync("lead-refused")).Json.GetProperty("status").GetString());
        Assert.Equal(["(none)", "lead-conflict"], ByLead(await app.ListPoisonAsync()).Keys.Order());
        Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
    }

    [Fact]
    public async Task Replay_ByLeadId_ThatLeadHandedOffOthersStay()
    {
        var (app, _) = await StartWithPoisonAsync();
        await using var _app = app;

        var replay = await app.ReplayAsync("{\"leadIds\": [\"lead-conflict\"]}");
        var requeued = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.Equal(DateTimeOffset.MaxValue.Year, requeued.ExpiresOn!.Value.Year);
        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, replay.Json.GetProperty("replayedCount").GetInt32());
        Assert.Equal("SAL", (await app.GetLeadAsync("lead-conflict")).Json.GetProperty("status").GetString());
        Assert.Equal("MQL", (await app.GetLeadAsync("lead-refused")).Json.GetProperty("status").GetString());
        Assert.Equal(["(none)", "lead-refused"], ByLead(await app.ListPoisonAsync()).Keys.Order());
    }

    [Fact]
    public async Task Replay_AllTwice_EachLeadOneRecordAndTheBrokenMessageBackWithItsReason()
    {
        var (app, crm) = await StartWithPoisonAsync();
        await using var _app = app;

        var replay = await app.ReplayAsync("{\"all\": true}");
        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        await app.ReplayAsync("{\"all\": true}");
        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, replay.Json.GetProperty("replayedCount").GetInt32());
        Assert.Equal(2, (await TestApp.RowsAsync(app.Layout.SandboxCrm)).Count);
        Assert.Equal("SAL", (await app.GetLeadAsync("lead-refused")).Json.GetProperty("status").GetString());
        Assert.Equal("SAL", (await app.GetLeadAsync("lead-conflict")).Json.GetProperty("status").GetString());

        // The message that is not JSON can never succeed: it is back in the dead letters, once.
        var broken = Assert.Single(ByLead(await app.ListPoisonAsync()).Values);
        Assert.Contains("not valid JSON", broken.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("not json at all", Assert.Single(await app.DeadLettersAsync()).Body);
        Assert.True(crm.Calls >= 2);
    }

    private static readonly (string Body, string Field)[] BadBodies =
    [
        ("{}", "$"),
        ("[]", "$"),
        ("{\"all\": \"yes\"}", "all"),
        ("{\"all\": true, \"leadIds\": [\"lead-conflict\"]}", "all"),
        ("{\"messageIds\": [42]}", "messageIds[0]"),
        ("{\"leadIds\": \"lead-conflict\"}", "leadIds"),
        ("{\"leadIDs\": [\"lead-conflict\"]}", "leadIDs"),
        ("{\"all\": true", "$"),
    ];

    [Fact]
    public async Task Replay_BadBodies_400NamingTheFieldAndNothingReplayed()
    {
        var (app, _) = await StartWithPoisonAsync();
        await using var _app = app;
        var before = await app.ListPoisonAsync();

        foreach (var (body, field) in BadBodies)
        {
            var replay = await app.ReplayAsync(body);

            Assert.Equal(400, replay.Status);
            Assert.Equal("application/problem+json", replay.ContentType);
            Assert.True(replay.Json.GetProperty("errors").TryGetProperty(field, out _), $"{body} -> {replay.Body}");
        }

        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        var after = await app.ListPoisonAsync();
        Assert.Equal(
            before.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("messageId").GetString()).Order(),
            after.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("messageId").GetString()).Order());
    }

    [Fact]
    public async Task RecordPoisonedHandoff_FortyHostPoisonCopies_MovedToTheTableAndAllListedPastThePeekLimit()
    {
        await using var app = await TestApp.StartAsync();
        await app.PostLeadAsync(Leads.Article("lead-0").ToJsonString());
        var body = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff)).Body.ToString();
        await app.Layout.Handoff.ClearMessagesAsync();
        for (var i = 0; i < 40; i++)
        {
            // What the host does after maxDequeueCount failed deliveries: the same body on the poison queue.
            await app.Layout.HandoffPoison.SendMessageAsync(body.Replace("lead-0", $"lead-{i}", StringComparison.Ordinal));
        }

        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(60));
        var listing = await app.ListPoisonAsync();

        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
        Assert.Equal(40, listing.Json.GetProperty("count").GetInt32());
        Assert.False(listing.Json.GetProperty("truncated").GetBoolean());
        var items = ByLead(listing);
        Assert.Equal(40, items.Count);
        Assert.All(items.Values, i => Assert.Equal("retries-exhausted", i.GetProperty("kind").GetString()));
        Assert.Equal("MQL", items["lead-0"].GetProperty("leadStatus").GetString());
        Assert.Equal("Failed every delivery (the ledger has no error recorded for this lead).", items["lead-0"].GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, items["lead-39"].GetProperty("leadStatus").ValueKind);
    }

    [Fact]
    public async Task RecordPoisonedHandoff_EnvelopeOfAnEarlierVersion_KeepsItsReasonAndReplaysTheOriginalBody()
    {
        await using var app = await TestApp.StartAsync();
        await app.PostLeadAsync(Leads.Article("lead-enveloped").ToJsonString());
        var body = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff)).Body.ToString();
        await app.Layout.Handoff.ClearMessagesAsync();
        var envelope = new PoisonEnvelope { Reason = "Sandbox refused the record: INVALID_FIELD", LeadId = "lead-enveloped", Provider = "Sandbox", PoisonedAt = DateTimeOffset.UnixEpoch, Body = body };
        await app.Layout.HandoffPoison.SendMessageAsync(JsonSerializer.Serialize(envelope, SmarketingJson.Options));

        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        var letter = Assert.Single(await app.DeadLettersAsync());
        var replay = await app.ReplayAsync("{\"leadIds\": [\"lead-enveloped\"]}");
        var requeued = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));

        Assert.Equal("refused", letter.Kind);
        Assert.Equal("Sandbox refused the record: INVALID_FIELD", letter.Reason);
        Assert.Equal("Sandbox", letter.Provider);
        Assert.Equal(DateTimeOffset.UnixEpoch, letter.PoisonedAt);
        Assert.Equal(1, replay.Json.GetProperty("replayedCount").GetInt32());
        Assert.Equal(body, requeued.Body.ToString());
        Assert.Empty(await app.DeadLettersAsync());
    }
}
