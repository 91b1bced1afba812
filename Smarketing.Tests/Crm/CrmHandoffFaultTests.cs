using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Salesforce;
using Smarketing.Functions;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// The whole handoff (real functions, real Azurite, the host's queue listener stand-in) against a fake of
/// each CRM on 127.0.0.1 that fails as each test says.
/// </summary>
public sealed class CrmHandoffFaultTests
{
    private const string LeadId = "lead-article-1";
    private static readonly TimeSpan ShortRetry = TimeSpan.FromMilliseconds(100);

    [Theory]
    [InlineData("Salesforce")]
    [InlineData("HubSpot")]
    public async Task Handoff_CrmAnswers503Then503Then200_OneRecordAndMessageDeleted(string provider)
    {
        await using var crm = await CrmTestApp.StartCrmAsync(provider);
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        crm.Faults.Enqueue(new Fault(503, "{\"message\":\"Service Unavailable\"}"));
        crm.Faults.Enqueue(new Fault(503, "{\"message\":\"Service Unavailable\"}"));

        var listener = app.HandoffListener(ShortRetry);
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, listener.Invocations);
        Assert.Equal(0, listener.Failures);
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
        Assert.Equal(1, crm.RecordCount);

        // Both 503s were retried inside the one invocation, then the record was created.
        Assert.Equal(2 + crm.ApiRequestsPerNewRecord, crm.ApiRequests.Count);
        var lead = (await app.GetLeadAsync(LeadId)).Json;
        Assert.Equal("SAL", lead.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(lead.GetProperty("crmId").GetString()));
    }

    [Theory]
    [InlineData("Salesforce")]
    [InlineData("HubSpot")]
    public async Task Handoff_CrmRefusesWith400_PoisonedOnceWithTheCrmMessageAndNotRetried(string provider)
    {
        await using var crm = await CrmTestApp.StartCrmAsync(provider);
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        var original = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff)).Body.ToString();
        var (fault, message) = crm.RefusalFault();
        crm.Faults.Enqueue(fault);

        var listener = app.HandoffListener(ShortRetry);
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, listener.Invocations);
        Assert.Equal(0, listener.Failures);
        Assert.Single(crm.ApiRequests);
        Assert.Equal(0, crm.RecordCount);
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        var poisoned = Assert.Single(await app.DeadLettersAsync());
        Assert.Contains(message, poisoned.Reason, StringComparison.Ordinal);
        Assert.Equal(LeadId, poisoned.LeadId);
        Assert.Equal(provider, poisoned.Provider);
        Assert.Equal(original, poisoned.Body);

        var lead = await app.LedgerAsync(LeadId);
        Assert.Equal(Core.Leads.LeadStatus.Mql, lead!.Status);
        Assert.True(lead.Handoff.Pending);
        Assert.Equal(1, lead.Handoff.Failures);
        Assert.Contains(message, lead.Handoff.LastError, StringComparison.Ordinal);

        var listing = (await app.ListPoisonAsync()).Json.GetProperty("items")[0];
        Assert.Equal("refused", listing.GetProperty("kind").GetString());
        Assert.Contains(message, listing.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handoff_SalesforceRequestLimitExceeded_WaitsForTheDailyLimitProbeNoDeliverySpentNotPoisoned()
    {
        await using var crm = await FakeSalesforce.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        crm.Faults.Enqueue(FakeSalesforce.RequestLimitExceeded());

        var listener = app.HandoffListener(ShortRetry);
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        // The first delivery opened the circuit and put the handoff back for the probe 15 minutes later (on the app's
        // clock); the probe's delivery handed it off. Neither invocation failed, so no delivery was spent.
        Assert.Equal(2, listener.Invocations);
        Assert.Empty(listener.Errors);
        Assert.Equal(1, (await app.LedgerAsync(LeadId))!.Handoff.Failures);
        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
        Assert.Empty(await app.DeadLettersAsync());
        Assert.Equal(1, crm.RecordCount);
        Assert.Equal("SAL", (await app.GetLeadAsync(LeadId)).Json.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("Salesforce")]
    [InlineData("HubSpot")]
    public async Task Handoff_DuplicateQueueMessagesHandledAtOnce_OneRecordOneTransition(string provider)
    {
        await using var crm = await CrmTestApp.StartCrmAsync(provider);
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        var body = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff)).Body;
        await app.Layout.Handoff.SendMessageAsync(body);
        await app.Layout.Handoff.SendMessageAsync(body);

        var received = (await app.Layout.Handoff.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
        Assert.Equal(3, received.Length);
        await Task.WhenAll(received.Select(m => app.Function<HandOffMql>().Run(m, CancellationToken.None)));

        Assert.Equal(1, crm.RecordCount);
        var lead = await app.LedgerAsync(LeadId);
        Assert.Single(lead!.History, e => e.To == Core.Leads.LeadStatus.Sal);
        Assert.Empty(await TestApp.PeekAsync(app.Layout.HandoffPoison));
    }

    [Fact]
    public async Task Handoff_CrmUpsertedButLedgerNeverMoved_RedeliveryUpdatesTheSameRecord()
    {
        await using var crm = await FakeSalesforce.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm));
        await app.PostLeadAsync(Leads.Article().ToJsonString());

        // A previous delivery reached Salesforce and the process died before the ledger moved.
        var earlier = await app.Services.GetRequiredService<SalesforceCrmClient>().UpsertLeadAsync(
            new CrmLeadUpsert { ExternalId = LeadId, Email = "test@example.com", LeadStatus = "SAL", OwnerId = "rep-ada", MqlScore = 80 },
            CancellationToken.None);
        await app.HandoffListener(ShortRetry).RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, crm.RecordCount);
        var lead = (await app.GetLeadAsync(LeadId)).Json;
        Assert.Equal("SAL", lead.GetProperty("status").GetString());
        Assert.Equal(earlier.RecordId, lead.GetProperty("crmId").GetString());
    }
}
