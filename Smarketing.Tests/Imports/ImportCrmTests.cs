using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smarketing.Core.Leads;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Imports;

/// <summary>
/// The batched handoff of imports against HTTP fakes of HubSpot and Salesforce on 127.0.0.1 that enforce the real limits
/// (100 per HubSpot batch, 200 per Salesforce collection, HubSpot's request rate with 429 and Retry-After beyond it).
/// </summary>
public sealed class ImportCrmTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("HubSpot")]
    [InlineData("Salesforce")]
    public async Task Import_CrmRefusesTwoRecordsOfABatch_JustThoseTwoDeadLettered_OthersSal(string provider)
    {
        await using var crm = await CrmTestApp.StartCrmAsync(provider);
        var settings = new Dictionary<string, string?>(crm.Settings()) { ["Imports:ChunkSize"] = "200" };
        await using var app = await TestApp.StartAsync(settings: settings);
        var refused = new[] { ImportPipelineTests.LeadId(app, "lead10@example.com"), ImportPipelineTests.LeadId(app, "lead42@example.com") };
        foreach (var id in refused)
        {
            if (crm is FakeHubSpot hubSpot)
            {
                hubSpot.RefusedLeadIds.Add(id);
            }
            else
            {
                ((FakeSalesforce)crm).RefuseLead(id, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Trade-show leads need a region", "Region__c");
            }
        }

        var importId = (await app.PostImportAsync(ImportTesting.GeneratedCsv(200))).ImportId();
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);

        var deadLetters = await app.DeadLettersAsync();
        Assert.Equal(refused.Order(StringComparer.Ordinal), deadLetters.Select(d => d.LeadId).Order(StringComparer.Ordinal));
        Assert.All(deadLetters, d =>
        {
            Assert.Equal("refused", d.Kind);
            Assert.Equal(provider, d.Provider);
            Assert.DoesNotContain("@example.com", d.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("@example.com", d.Body, StringComparison.Ordinal);
        });

        for (var i = 0; i < 200; i += 2)
        {
            var lead = await app.LedgerAsync(ImportPipelineTests.LeadId(app, $"lead{i}@example.com"));
            Assert.Equal(refused.Contains(lead!.LeadId) ? LeadStatus.Mql : LeadStatus.Sal, lead.Status);
        }

        Assert.Equal(98, crm.RecordCount);
        var progress = (await app.GetImportAsync(importId)).Json;
        Assert.Equal("finished", progress.GetProperty("state").GetString());
        Assert.Equal(100, progress.GetProperty("mqls").GetInt64());
        Assert.Equal(98, progress.GetProperty("handedOff").GetInt64());
        Assert.Equal(2, progress.GetProperty("deadLettered").GetInt64());
    }

    [Fact]
    public async Task Import_HubSpot_OneRequestPer100Mqls()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>(crm.Settings()) { ["Imports:ChunkSize"] = "400" });
        await app.PostImportAsync(ImportTesting.GeneratedCsv(400));
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);

        // 400 rows in one chunk, 200 MQLs: two batches of 100, one request each.
        Assert.Equal(200, crm.RecordCount);
        Assert.Equal(2, crm.ReceivedRequests);
        Assert.Equal(0, crm.RateLimitedResponses);
    }

    [Fact]
    public async Task Import_TwoInstancesOnTheRealClock_StayInsideTheSharedRequestBudget()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        // HubSpot counts per rolling window; 5 per fixed second keeps any rolling 5 s (6 seconds touched) at 30 or less.
        crm.RateLimit = 30;
        crm.RateWindow = TimeSpan.FromSeconds(5);
        var settings = new Dictionary<string, string?>(crm.Settings())
        {
            ["Imports:ChunkSize"] = "50",
            ["Imports:MaxBatchSize"] = "5",
            ["Crm:Budget:HubSpot:Requests"] = "5",
            ["Crm:Budget:HubSpot:Window"] = "00:00:01",
            ["Crm:Budget:BlockSize"] = "1",
        };
        static void RealClock(IHostApplicationBuilder b) => b.Services.AddSingleton(TimeProvider.System);
        await using var first = await TestApp.StartAsync(RealClock, settings, clockStart: DateTimeOffset.UtcNow);
        await using var second = await first.StartInstanceAsync(settings, RealClock);
        await first.PostImportAsync(ImportTesting.GeneratedCsv(160));

        // 80 MQLs in batches of 5: 16 requests, at most 4 (the import share) a second, whichever instance sends them. Two
        // budgets of their own would send 8 a second, 48 in a rolling 5 s, and meet HubSpot's 429s.
        await Task.WhenAll(
            first.ImportListeners(concurrency: 4).RunUntilEmptyAsync(Timeout),
            second.ImportListeners(concurrency: 4).RunUntilEmptyAsync(Timeout));

        Assert.Equal(80, crm.RecordCount);
        Assert.Equal(0, crm.RateLimitedResponses);
        Assert.InRange(crm.MaxRequestsInWindow, 1, 30);
        Assert.Equal(16, crm.ReceivedRequests);
    }

    [Fact]
    public async Task Import_WebhookLeadDuringALargeImport_TakesItsFastPathWithoutWaitingBehindTheImport()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        crm.RateLimit = 60;
        crm.RateWindow = TimeSpan.FromSeconds(5);
        var settings = new Dictionary<string, string?>(crm.Settings())
        {
            ["Imports:ChunkSize"] = "100",
            ["Imports:MaxBatchSize"] = "5",
            ["Crm:Budget:HubSpot:Requests"] = "10",
            ["Crm:Budget:HubSpot:Window"] = "00:00:01",
            ["Crm:Budget:BlockSize"] = "1",
        };
        await using var app = await TestApp.StartAsync(b => b.Services.AddSingleton(TimeProvider.System), settings, clockStart: DateTimeOffset.UtcNow);
        var importId = (await app.PostImportAsync(ImportTesting.GeneratedCsv(600))).ImportId();
        var listeners = app.ImportListeners(concurrency: 4);

        // The import works in the background: 300 MQLs in 60 batches, at most 8 requests (its share) a second.
        using var stop = new CancellationTokenSource();
        var work = Task.Run(async () =>
        {
            await listeners.Work.RunUntilEmptyAsync(Timeout, stop.Token);
            await listeners.Batches.RunUntilEmptyAsync(Timeout, stop.Token);
        });
        await WaitForAsync(async () => (await app.GetImportAsync(importId)).Json.GetProperty("handedOff").GetInt64() >= 20);

        var hotLead = Pipeline.Leads.Article("hot-lead-1");
        hotLead["email"] = "hot-lead@example.com";
        var posted = await app.PostLeadAsync(hotLead.ToJsonString());
        Assert.Equal(202, posted.Status);
        var leadId = posted.Json.GetProperty("leadId").GetString()!;
        await app.HandoffListener().RunUntilEmptyAsync(Timeout);

        var hot = await app.LedgerAsync(leadId);
        Assert.Equal(LeadStatus.Sal, hot!.Status);
        Assert.Null(hot.Handoff.DeferredUntil);
        var during = (await app.GetImportAsync(importId)).Json;
        Assert.NotEqual("finished", during.GetProperty("state").GetString());

        await work;
        await listeners.RunUntilEmptyAsync(Timeout);
        Assert.Equal(301, crm.RecordCount);
        Assert.Equal(0, crm.RateLimitedResponses);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            await Task.Delay(100, cts.Token);
        }
    }
}
