using Smarketing.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Smarketing.Tests.Imports;

/// <summary>
/// The CI version of the import benchmark (<c>bench/import/run.sh</c> runs the same harness with 100,000 leads): 2,000
/// leads through the real functions against each fake CRM on the real clock. Asserts what must hold at any size (nothing
/// lost or doubled, the CRM calls per 1,000 leads, no 429); the times are printed, never asserted.
/// </summary>
public sealed class ImportBenchmarkTests(ITestOutputHelper output)
{
    private const int Leads = 2000;

    [Fact]
    public async Task Import_2000LeadsIntoHubSpot_NoneLostOrDoubled_AtMostSixCallsPer1000_No429()
    {
        var result = await RunAsync(ImportBenchmark.HubSpot);

        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicates);
        Assert.InRange(result.CrmCallsPer1000, 0.5, ImportBenchResult.CallsTarget);
        Assert.Equal(0, result.RateLimited);
    }

    [Fact]
    public async Task Import_2000LeadsIntoSalesforce_NoneLostOrDoubled()
    {
        var result = await RunAsync(ImportBenchmark.Salesforce);

        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(0, result.RateLimited);

        Assert.InRange(result.CrmCallsPer1000, 0.5, ImportBenchResult.CallsTarget);
    }

    private async Task<ImportBenchResult> RunAsync(string crm)
    {
        await using var account = await Azurite.LeaseAccountAsync();
        var log = new StringWriter();
        var result = await ImportBenchmark.RunAsync(crm, Leads, account.ConnectionString, progress: log);
        output.WriteLine(log.ToString());
        output.WriteLine(result.Table());
        Assert.Equal(Leads / 2, result.Mqls);
        Assert.True(result.StorageRoundTrips > Leads, $"Storage requests counted: {result.StorageRoundTrips}");
        return result;
    }
}
