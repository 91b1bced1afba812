using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Handoff.HubSpot;
using Smarketing.Core.Handoff.Salesforce;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// The CRM request budget every instance shares (<see cref="TableCrmRequestBudget"/> on real Azurite): two app instances on
/// one storage account, each with its own composition root, caches and fake clock, taking from one budget at once.
/// </summary>
public sealed class CrmRequestBudgetTests
{
    private const string HubSpot = HubSpotCrmClient.ProviderName;

    [Fact]
    public async Task TryTake_TwoInstancesConcurrently_NeverGrantMoreThanTheWindowAllows()
    {
        await using var first = await TestApp.StartAsync(settings: Budget(requests: 20, blockSize: 3));
        await using var second = await first.StartInstanceAsync(Budget(requests: 20, blockSize: 3));

        var granted = await Task.WhenAll(
            TakeManyAsync(first, CrmBudgetLane.Webhook, 60),
            TakeManyAsync(second, CrmBudgetLane.Webhook, 60));

        // Blocks left over when the window filled up are lost, never granted twice: at most 20, at least 20 less both leftovers.
        Assert.InRange(granted.Sum(), 20 - (2 * 2), 20);
        Assert.True(granted.All(g => g > 0), $"each instance got a share: {string.Join(", ", granted)}");
        var row = Assert.Single(await TestApp.RowsAsync(first.Layout.CrmRequestBudget), r => r.RowKey == CrmBudgetLimits.RateWindow);
        Assert.Equal(20, row.GetInt64("Webhook"));
    }

    [Fact]
    public async Task TryTake_ImportLaneFull_CappedAtItsShareWhileWebhookTakesTheRest()
    {
        var settings = Budget(requests: 20, blockSize: 1, importShare: 0.5);
        await using var first = await TestApp.StartAsync(settings: settings);
        await using var second = await first.StartInstanceAsync(settings);

        var imports = await Task.WhenAll(TakeManyAsync(first, CrmBudgetLane.Import, 30), TakeManyAsync(second, CrmBudgetLane.Import, 30));
        var refused = await Budget(first).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Import, CancellationToken.None);
        var webhooks = await Task.WhenAll(TakeManyAsync(first, CrmBudgetLane.Webhook, 30), TakeManyAsync(second, CrmBudgetLane.Webhook, 30));

        Assert.Equal(10, imports.Sum());
        Assert.False(refused.Granted);
        Assert.Equal(WindowEnd(first), refused.RetryAt);
        Assert.Equal(10, webhooks.Sum());
    }

    [Fact]
    public async Task BackOff_OnOneInstance_NeitherInstanceTakesBeforeItsTime()
    {
        var settings = Budget(requests: 100, blockSize: 5);
        await using var first = await TestApp.StartAsync(settings: settings);
        await using var second = await first.StartInstanceAsync(settings);

        // The second instance holds a block it could spend without a write.
        Assert.True((await Budget(second).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Webhook, CancellationToken.None)).Granted);
        var until = first.Time.GetUtcNow() + TimeSpan.FromSeconds(30);
        await Budget(first).BackOffAsync(HubSpot, until, CancellationToken.None);
        Advance(TimeSpan.FromSeconds(1), first, second);

        var onFirst = await Budget(first).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Webhook, CancellationToken.None);
        var onSecond = await Budget(second).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Import, CancellationToken.None);
        var secondWebhook = await Budget(second).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Webhook, CancellationToken.None);
        Advance(until - first.Time.GetUtcNow(), first);
        Advance(until - second.Time.GetUtcNow(), second);

        Assert.Equal(CrmBudgetGrant.NotBefore(until), onFirst);
        Assert.Equal(CrmBudgetGrant.NotBefore(until), onSecond);
        Assert.Equal(CrmBudgetGrant.NotBefore(until), secondWebhook);
        Assert.True((await Budget(first).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Webhook, CancellationToken.None)).Granted);
        Assert.True((await Budget(second).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Webhook, CancellationToken.None)).Granted);
    }

    [Fact]
    public async Task TryTake_WindowSpentThenClockMovesOn_NextWindowHasRoomAgain()
    {
        var settings = Budget(requests: 4, blockSize: 5);
        await using var first = await TestApp.StartAsync(settings: settings);
        await using var second = await first.StartInstanceAsync(settings);

        Assert.Equal(4, await TakeManyAsync(first, CrmBudgetLane.Webhook, 6));
        var refused = await Budget(second).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Webhook, CancellationToken.None);
        Assert.False(refused.Granted);
        Assert.Equal(WindowEnd(first), refused.RetryAt);

        Advance(refused.RetryAt!.Value - first.Time.GetUtcNow(), first);
        Advance(refused.RetryAt!.Value - second.Time.GetUtcNow(), second);

        Assert.Equal(4, await TakeManyAsync(second, CrmBudgetLane.Webhook, 6));
        Assert.False((await Budget(first).TryTakeAsync(HubSpot, 1, CrmBudgetLane.Webhook, CancellationToken.None)).Granted);
    }

    [Fact]
    public async Task TryTake_BudgetDisabledOrSandbox_GrantedWithoutAWrite()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>(Budget(requests: 1, blockSize: 1)) { ["Crm:Budget:Enabled"] = "false" });

        Assert.Equal(10, await TakeManyAsync(app, CrmBudgetLane.Webhook, 10));
        Assert.True((await Budget(app).TryTakeAsync("Sandbox", 1000, CrmBudgetLane.Import, CancellationToken.None)).Granted);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.CrmRequestBudget));
    }

    [Fact]
    public async Task Limits_SalesforceReportedItsDailyLimit_DailyWindowIsTheShareOfIt()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Crm:Budget:Salesforce:DailyShare"] = "0.25" });
        var limits = app.Services.GetRequiredService<CrmBudgetLimits>();
        var before = Assert.Single(limits.For(SalesforceCrmClient.ProviderName));

        app.Services.GetRequiredService<SalesforceApiUsage>().Report(1200, 15000);
        var after = Assert.Single(limits.For(SalesforceCrmClient.ProviderName));

        Assert.Equal(new CrmBudgetWindow(CrmBudgetLimits.DailyWindow, TimeSpan.FromDays(1), 25_000, 20_000), before);
        Assert.Equal(new CrmBudgetWindow(CrmBudgetLimits.DailyWindow, TimeSpan.FromDays(1), 3750, 3000), after);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), after.StartOf(app.Time.GetUtcNow()));
        Assert.Empty(limits.For("Sandbox"));
    }

    internal static Dictionary<string, string?> Budget(int requests, int blockSize, double importShare = 0.8) => new()
    {
        ["Crm:Budget:HubSpot:Requests"] = requests.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Crm:Budget:HubSpot:Window"] = "00:00:10",
        ["Crm:Budget:BlockSize"] = blockSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Crm:Budget:ImportShare"] = importShare.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static ICrmRequestBudget Budget(TestApp app) => app.Services.GetRequiredService<ICrmRequestBudget>();

    private static DateTimeOffset WindowEnd(TestApp app) =>
        new CrmBudgetWindow(CrmBudgetLimits.RateWindow, TimeSpan.FromSeconds(10), 0, 0).StartOf(app.Time.GetUtcNow()) + TimeSpan.FromSeconds(10);

    private static void Advance(TimeSpan by, params TestApp[] apps)
    {
        foreach (var app in apps)
        {
            if (by > TimeSpan.Zero)
            {
                app.Time.Advance(by);
            }
        }
    }

    /// <summary>Asks for one request <paramref name="calls"/> times, eight at a time; the number granted.</summary>
    private static async Task<int> TakeManyAsync(TestApp app, CrmBudgetLane lane, int calls)
    {
        var budget = Budget(app);
        var granted = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, calls), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            if ((await budget.TryTakeAsync(HubSpot, 1, lane, ct)).Granted)
            {
                Interlocked.Increment(ref granted);
            }
        });
        return granted;
    }
}
