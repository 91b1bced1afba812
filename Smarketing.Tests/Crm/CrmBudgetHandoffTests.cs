using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Leads;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// The shared request budget on the handoff's fast path (real <see cref="HandOffMql"/>, real Azurite, the HubSpot fake on
/// 127.0.0.1): every request on the wire takes from the budget, a handoff the budget refuses waits on the queue for the
/// next window without touching the circuit or counting as a failure, and a 429 stops every instance until its time.
/// </summary>
public sealed class CrmBudgetHandoffTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Handoff_FiveLeadsWithBudgetOfFourPerWindow_AtMostFourRequestsPerWindowRestDeferredThenAllSal()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: CrmTestSettings.For(crm, CrmRequestBudgetTests.Budget(requests: 4, blockSize: 5)));
        var sent = new ConcurrentQueue<DateTimeOffset>();
        crm.FaultWhen = path =>
        {
            if (path.StartsWith("/crm/", StringComparison.Ordinal))
            {
                sent.Enqueue(app.Time.GetUtcNow());
            }

            return null;
        };
        var ids = Enumerable.Range(1, 5).Select(i => $"lead-budget-{i}").ToList();
        foreach (var id in ids)
        {
            await app.PostLeadAsync(Lead(id).ToJsonString());
        }

        var listener = app.HandoffListener(retryDelay: TimeSpan.FromMilliseconds(100));
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        // Each new HubSpot contact takes two requests: two leads fit a window of four, the others waited for later windows.
        var perWindow = sent.GroupBy(t => t.UtcTicks / Window.Ticks).Select(g => g.Count()).ToList();
        Assert.All(perWindow, count => Assert.InRange(count, 1, 4));
        Assert.True(perWindow.Count >= 3, $"requests per window: {string.Join(", ", perWindow)}");
        var deferred = app.Services.GetRequiredService<ClockedHandoffEnqueuer>().Deferrals;
        Assert.NotEmpty(deferred);
        // Each waited for the start of a later window (plus the deferral's spread of up to 5 s), not for a probe.
        Assert.All(deferred, d => Assert.InRange(TimeSpan.FromTicks(d.VisibleAt.UtcTicks % Window.Ticks), TimeSpan.Zero, TimeSpan.FromSeconds(5)));
        foreach (var id in ids)
        {
            var lead = await app.LedgerAsync(id);
            Assert.Equal(LeadStatus.Sal, lead!.Status);
            Assert.Equal(0, lead.Handoff.Failures);
        }

        Assert.Equal(ids.Count, crm.RecordCount);
        Assert.Equal(0, listener.Failures);
        Assert.Empty(listener.Errors);
        Assert.Empty(await app.DeadLettersAsync());
        var state = await app.Services.GetRequiredService<CrmCircuit>().ReadAsync(CancellationToken.None);
        Assert.False(state.Open);
        Assert.Null(state.Condition);
    }

    [Fact]
    public async Task Handoff_HubSpotAnswers429_BackOffStopsAnotherInstanceUntilRetryAfter()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        var settings = CrmTestSettings.For(crm);
        await using var app = await TestApp.StartAsync(settings: settings);
        await using var other = await app.StartInstanceAsync(settings);
        await app.PostLeadAsync(Lead("lead-budget-429").ToJsonString());
        crm.Faults.Enqueue(FakeHubSpot.RateLimited(retryAfterSeconds: 120));
        var before = app.Time.GetUtcNow();

        var message = Assert.Single((await app.Layout.Handoff.ReceiveMessagesAsync(1)).Value);
        await app.Function<HandOffMql>().Run(message, CancellationToken.None);

        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.CrmRequestBudget), r => r.RowKey == TableCrmRequestBudget.BackOffRow);
        var until = row.GetDateTimeOffset("Until")!.Value;
        Assert.InRange(until - before, TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(121));
        var refused = await other.Services.GetRequiredService<ICrmRequestBudget>().TryTakeAsync("HubSpot", 1, CrmBudgetLane.Webhook, CancellationToken.None);
        Assert.Equal(CrmBudgetGrant.NotBefore(until), refused);
    }

    private static JsonObject Lead(string id)
    {
        // HubSpot keys contacts on the e-mail address: one address per lead.
        var lead = Leads.Article(id);
        lead["email"] = $"{id}@example.com";
        return lead;
    }
}
