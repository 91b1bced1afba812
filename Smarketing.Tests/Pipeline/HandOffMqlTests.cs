using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Sandbox;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Pipeline;

public sealed class HandOffMqlTests
{
    [Fact]
    public async Task Handoff_FailsEveryDeliveryOtherwiseThanByACrmState_AppDeadLettersTheLastDeliveryAndLedgerStillMql()
    {
        var crm = new UnavailableCrm();
        await using var app = await TestApp.StartAsync(b => b.Services.AddSingleton<ICrmClient>(crm));
        var maxDequeueCount = HostQueueSettings.FromHostJson().MaxDequeueCount;
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        var original = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff)).Body.ToString();

        // Only the wait between attempts is shortened; the count comes from host.json.
        var listener = app.HandoffListener(retryDelay: TimeSpan.FromMilliseconds(200));
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(maxDequeueCount, crm.Calls);
        Assert.Equal(maxDequeueCount, listener.Invocations);

        // The last delivery wrote the dead letter itself and completed: the host had nothing to poison.
        Assert.Equal(maxDequeueCount - 1, listener.Failures);
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
        var poisoned = Assert.Single(await app.DeadLettersAsync());
        Assert.Equal(original, poisoned.Body);
        Assert.Equal("retries-exhausted", poisoned.Kind);
        Assert.Equal("lead-article-1", poisoned.LeadId);
        Assert.StartsWith($"Failed all {maxDequeueCount} deliveries; last error: HttpRequestException: ", poisoned.Reason, StringComparison.Ordinal);

        var lead = (await app.GetLeadAsync("lead-article-1")).Json;
        Assert.Equal("MQL", lead.GetProperty("status").GetString());
        Assert.True(lead.GetProperty("handoffPending").GetBoolean());
        Assert.Equal(maxDequeueCount, lead.GetProperty("handoffFailures").GetInt32());
        Assert.Contains("503", lead.GetProperty("lastHandoffError").GetString(), StringComparison.Ordinal);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.SandboxCrm));
    }

    [Fact]
    public async Task Handoff_CrmFailsTwiceThenRecovers_OneRecordAndMessageDeleted()
    {
        var crm = new FlakyCrm(failures: 2);
        await using var app = await TestApp.StartAsync(b => b.Services.AddSingleton<ICrmClient>(sp => crm.Wrap(sp.GetRequiredService<SandboxCrmClient>())));
        await app.PostLeadAsync(Leads.Article().ToJsonString());

        var listener = app.HandoffListener(retryDelay: TimeSpan.FromMilliseconds(200));
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(3, listener.Invocations);
        Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
        var lead = (await app.GetLeadAsync("lead-article-1")).Json;
        Assert.Equal("SAL", lead.GetProperty("status").GetString());
        Assert.False(lead.GetProperty("handoffPending").GetBoolean());
    }

    [Fact]
    public async Task Handoff_MessageRedeliveredAfterSuccess_NoSecondRecordNoSecondTransition()
    {
        await using var app = await TestApp.StartAsync();
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        var body = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff)).Body;
        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        var crmBefore = Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));

        // At-least-once delivery: the same message arrives again.
        await app.Layout.Handoff.SendMessageAsync(body);
        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, listener.Failures);
        var crmAfter = Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Equal(crmBefore.ETag, crmAfter.ETag);
        var history = (await app.GetLeadAsync("lead-article-1")).Json.GetProperty("history");
        Assert.Equal(2, history.GetArrayLength());
    }

    [Fact]
    public async Task Handoff_LeadsWithoutOwnerOneCursorShard_ExactRoundRobinOverConfiguredReps()
    {
        // One shard deals strictly in turn; more shards stay within S − ⌊S/n⌋ (RepPoolTests).
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Routing:CursorShards"] = "1" });
        for (var i = 0; i < 6; i++)
        {
            await app.PostLeadAsync(Leads.Article($"lead-rr-{i}").ToJsonString());
        }

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        var owners = (await TestApp.RowsAsync(app.Layout.SandboxCrm)).GroupBy(r => r.GetString("OwnerId")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["rep-ada"] = 2, ["rep-grace"] = 2, ["rep-linus"] = 2 }, owners);
    }

    [Fact]
    public async Task Handoff_SenderNamedTheOwner_OwnerKept()
    {
        await using var app = await TestApp.StartAsync();
        var lead = Leads.Article();
        lead["ownerId"] = "005-sender-owner";
        await app.PostLeadAsync(lead.ToJsonString());

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("005-sender-owner", Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm)).GetString("OwnerId"));
    }

    [Fact]
    public async Task Handoff_MalformedMessage_PoisonedAtOnceWithReasonAndNothingWritten()
    {
        await using var app = await TestApp.StartAsync();
        await app.Layout.Handoff.SendMessageAsync("{\"leadId\": 42");

        var listener = app.HandoffListener(retryDelay: TimeSpan.FromMilliseconds(100));
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        // It can never succeed, so it is not retried: one invocation that completes, one poisoned copy.
        Assert.Equal(1, listener.Invocations);
        Assert.Equal(0, listener.Failures);
        var poisoned = Assert.Single(await app.DeadLettersAsync());
        Assert.Contains("not valid JSON of the handoff contract", poisoned.Reason, StringComparison.Ordinal);
        Assert.Equal("{\"leadId\": 42", poisoned.Body);
        Assert.Null(poisoned.LeadId);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }

    [Fact]
    public async Task Handoff_LeadMissingFromLedger_PoisonedAtOnceNamingTheLead()
    {
        await using var app = await TestApp.StartAsync();
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        var body = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff)).Body.ToString();
        await app.Layout.Handoff.ClearMessagesAsync();
        await app.Layout.Handoff.SendMessageAsync(body.Replace("lead-article-1", "lead-unknown", StringComparison.Ordinal));

        var listener = app.HandoffListener(retryDelay: TimeSpan.FromMilliseconds(100));
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, listener.Invocations);
        var poisoned = Assert.Single(await app.DeadLettersAsync());
        Assert.Equal("lead-unknown", poisoned.LeadId);
        Assert.Equal("Lead 'lead-unknown' is not in the ledger.", poisoned.Reason);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.SandboxCrm));
    }

    [Fact]
    public async Task Handoff_CrmRefusesTheRecord_PoisonedOnceReasonOnLedgerWithoutPersonalData()
    {
        var crm = new RefusingCrm();
        await using var app = await TestApp.StartAsync(b => b.Services.AddSingleton<ICrmClient>(crm));
        await app.PostLeadAsync(Leads.Article().ToJsonString());

        var listener = app.HandoffListener(retryDelay: TimeSpan.FromMilliseconds(100));
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, crm.Calls);
        Assert.Equal(1, listener.Invocations);
        Assert.Equal(0, listener.Failures);
        var poisoned = Assert.Single(await app.DeadLettersAsync());
        Assert.Equal("Refusing refused the record: INVALID_EMAIL_ADDRESS: Email: invalid email address: [redacted] (fields: Email)", poisoned.Reason);
        var lead = (await app.GetLeadAsync("lead-article-1")).Json;
        Assert.Equal("MQL", lead.GetProperty("status").GetString());
        Assert.Equal(1, lead.GetProperty("handoffFailures").GetInt32());
        Assert.Equal("CrmPermanentException: INVALID_EMAIL_ADDRESS: Email: invalid email address: [redacted] (fields: Email)", lead.GetProperty("lastHandoffError").GetString());
    }

    [Fact]
    public async Task Handoff_LeadFromATerritorysCountry_RoutedThroughTheWebhookToThatTerritorysRep()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Routing:Territories:0:Name"] = "DACH",
            ["Routing:Territories:0:Countries"] = "DE,AT,CH",
            ["Routing:Territories:0:Reps"] = "rep-hans",
        });
        var lead = Leads.Article("lead-berlin");
        lead["country"] = "DE";
        await app.PostLeadAsync(lead.ToJsonString());
        var message = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("\"country\":\"DE\"", message.Body.ToString(), StringComparison.Ordinal);
        Assert.Equal("rep-hans", Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm)).GetString("OwnerId"));
    }

    private sealed class RefusingCrm : ICrmClient
    {
        private int _calls;

        public int Calls => _calls;

        public string Provider => "Refusing";

        public Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);

            // CRMs echo the refused value; the handoff must not carry it any further.
            throw new CrmPermanentException($"INVALID_EMAIL_ADDRESS: Email: invalid email address: {lead.Email} (fields: Email)");
        }
    }

    private sealed class UnavailableCrm : ICrmClient
    {
        private int _calls;

        public int Calls => _calls;

        public string Provider => "Unavailable";

        public Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            throw new HttpRequestException("The CRM answered 503 Service Unavailable.");
        }
    }

    private sealed class FlakyCrm(int failures)
    {
        private int _remaining = failures;

        public ICrmClient Wrap(ICrmClient inner) => new Client(this, inner);

        private sealed class Client(FlakyCrm owner, ICrmClient inner) : ICrmClient
        {
            public string Provider => inner.Provider;

            public Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken) =>
                Interlocked.Decrement(ref owner._remaining) >= 0
                    ? throw new HttpRequestException("The CRM answered 503 Service Unavailable.")
                    : inner.UpsertLeadAsync(lead, cancellationToken);
        }
    }
}
