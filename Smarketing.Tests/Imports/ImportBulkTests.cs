using Smarketing.Core.Leads;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Imports;

/// <summary>
/// The Salesforce handoff of a large import through one Bulk API 2.0 job, against the Salesforce fake on 127.0.0.1 (its
/// ingest jobs answer InProgress to a first look, then JobComplete with successful and failed results).
/// </summary>
public sealed class ImportBulkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Import_SalesforceMqlsAboveBulkThreshold_OneJob_RefusedDeadLetteredAlone_Finished()
    {
        await using var crm = await FakeSalesforce.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: Settings(crm));
        var refused = new[] { ImportPipelineTests.LeadId(app, "lead10@example.com"), ImportPipelineTests.LeadId(app, "lead2042@example.com") };
        foreach (var id in refused)
        {
            crm.RefuseLead(id, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Trade-show leads need a region", "Region__c");
        }

        // 3,000 rows in 6 chunks, 1,500 MQLs: at least the threshold of 1,000. Chunks run four at once, so that the last
        // ones may finish together and both see every chunk recorded: the claim lets one job start, not two.
        var importId = (await app.PostImportAsync(ImportTesting.GeneratedCsv(3000))).ImportId();
        await app.ImportListeners(concurrency: 4).RunUntilEmptyAsync(Timeout);

        // One job: create, upload, close, two looks (InProgress, JobComplete), successful and failed results.
        Assert.Equal(new[] { "JobComplete" }, crm.BulkJobStates);
        Assert.Equal(7, crm.ApiRequestCount);
        Assert.Equal(1498, crm.RecordCount);

        var deadLetters = await app.DeadLettersAsync();
        Assert.Equal(refused.Order(StringComparer.Ordinal), deadLetters.Select(d => d.LeadId).Order(StringComparer.Ordinal));
        Assert.All(deadLetters, d =>
        {
            Assert.Equal("refused", d.Kind);
            Assert.Equal("Salesforce", d.Provider);
            Assert.Contains("Region__c", d.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("@example.com", d.Reason, StringComparison.Ordinal);
        });

        for (var i = 0; i < 3000; i += 2)
        {
            var lead = await app.LedgerAsync(ImportPipelineTests.LeadId(app, $"lead{i}@example.com"));
            Assert.Equal(refused.Contains(lead!.LeadId) ? LeadStatus.Mql : LeadStatus.Sal, lead.Status);
            if (lead.Status == LeadStatus.Sal)
            {
                Assert.NotNull(lead.OwnerId);
                Assert.Equal(lead.OwnerId, crm.Lead(lead.LeadId)!["OwnerId"]?.ToString());
            }
        }

        var progress = (await app.GetImportAsync(importId)).Json;
        Assert.Equal("finished", progress.GetProperty("state").GetString());
        Assert.Equal(3000, progress.GetProperty("accepted").GetInt64());
        Assert.Equal(1500, progress.GetProperty("mqls").GetInt64());
        Assert.Equal(1498, progress.GetProperty("handedOff").GetInt64());
        Assert.Equal(2, progress.GetProperty("deadLettered").GetInt64());
        Assert.Equal(0, progress.GetProperty("sentAlone").GetInt64());
    }

    [Fact]
    public async Task Import_SalesforceMqlsBelowBulkThreshold_CollectionsOnly_NoJob()
    {
        await using var crm = await FakeSalesforce.StartNewAsync();
        await using var app = await TestApp.StartAsync(settings: Settings(crm));

        // 1,200 rows (above the threshold) but 600 MQLs (below it): the threshold counts the leads to hand off.
        var importId = (await app.PostImportAsync(ImportTesting.GeneratedCsv(1200))).ImportId();
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);

        Assert.Empty(crm.BulkJobStates);
        Assert.Equal(600, crm.RecordCount);
        var progress = (await app.GetImportAsync(importId)).Json;
        Assert.Equal("finished", progress.GetProperty("state").GetString());
        Assert.Equal(600, progress.GetProperty("handedOff").GetInt64());
    }

    [Fact]
    public async Task Import_SalesforceBulkJobFails_ItsLeadsGoThroughCollections_AllSal()
    {
        await using var crm = await FakeSalesforce.StartNewAsync();
        crm.FailNextBulkJob = "InvalidBatch : Failed to process query";
        await using var app = await TestApp.StartAsync(settings: Settings(crm));

        var importId = (await app.PostImportAsync(ImportTesting.GeneratedCsv(2400))).ImportId();
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);

        Assert.Equal(new[] { "Failed" }, crm.BulkJobStates);
        Assert.Equal(1200, crm.RecordCount);
        var progress = (await app.GetImportAsync(importId)).Json;
        Assert.Equal("finished", progress.GetProperty("state").GetString());
        Assert.Equal(1200, progress.GetProperty("handedOff").GetInt64());
        Assert.Equal(0, progress.GetProperty("deadLettered").GetInt64());
    }

    private static Dictionary<string, string?> Settings(FakeSalesforce crm) => new(crm.Settings())
    {
        ["Imports:ChunkSize"] = "500",
        ["Imports:BulkPollInterval"] = "00:00:00.2",
        ["Crm:Salesforce:BulkThreshold"] = "1000",
    };
}
