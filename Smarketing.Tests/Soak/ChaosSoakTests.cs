using System.Diagnostics;
using System.Globalization;
using Smarketing.Soak;
using Smarketing.Tests.Infrastructure;
using Spectre.Console;
using Xunit;
using Xunit.Abstractions;

namespace Smarketing.Tests.Soak;

/// <summary>
/// The CI version of the chaos soak (bench/soak/run.sh --ci): 1,000 leads through the real functions, with the app
/// as a separate process killed twice, a CRM that fails, goes down and refuses our token, and storage connections
/// reset. Takes about a minute on a 2-core machine. It runs alone, after the other tests, on an Azurite process of
/// its own: its app process and 16 listeners would otherwise load the shared Azurite that every other test class
/// waits on, and whatever the earlier tests left in the shared one would slow the soak's storage.
/// </summary>
[Collection(ChaosSoakRunsAlone.Name)]
public sealed class ChaosSoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Soak_1000LeadsUnderChaos_NothingLostOrDuplicatedAndEveryDeadLetterReplayedToSal()
    {
        await using var azurite = await Azurite.StartDedicatedAsync();
        var options = SoakOptions.Ci(azurite.TablePort, azurite.QueuePort) with
        {
            AccountName = azurite.AccountName,
            AccountKey = Azurite.AccountKey,
        };
        using var printed = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(printed), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var watch = Stopwatch.StartNew();

        SoakResult result;
        using (var driver = new SoakDriver(options, console))
        {
            result = await driver.RunAsync(cts.Token);
        }

        result.Print(console, options);
        output.WriteLine(printed.ToString());
        output.WriteLine($"soak took {watch.Elapsed.TotalSeconds:F0} s");

        // The chaos happened: the app was killed twice, the CRM failed calls, some bodies were invalid, some deliveries repeated.
        Assert.Equal(2, result.Kills.Count);
        Assert.True(result.CrmFaults > 0, "the CRM never failed a call");
        Assert.True(result.Refused.Values.Sum() > 0, "no invalid body was refused");
        Assert.All(result.Refused.Keys, reason => Assert.StartsWith("400 ", reason, StringComparison.Ordinal));
        Assert.True(result.DuplicateDeliveriesSent > 0);
        Assert.True(result.AnsweredDuplicate >= result.DuplicateDeliveriesSent, $"{result.DuplicateDeliveriesSent} repeated deliveries, {result.AnsweredDuplicate} answered duplicate");
        Assert.Equal(result.DeliveriesSent, result.Accepted + result.Refused.Values.Sum());

        // The requirements.
        Assert.True(result.Mqls > 0);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.DuplicateCrmRecords);
        Assert.Equal(0, result.CrmRecordsOfNonMqls);
        Assert.Equal(result.Mqls, result.CrmRecords);
        Assert.Equal(0, result.UnsettledMqls);
        Assert.Equal(0, result.DeadLettersWithoutReason);
        Assert.Equal(0, result.ReplayedNotSal);
        Assert.Equal(result.Mqls, result.Sal);
        Assert.Empty(result.Other5xx);
        Assert.Empty(result.Failures);
        Assert.Contains("PASSED", printed.ToString(), StringComparison.Ordinal);
    }

}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosSoakRunsAlone
{
    public const string Name = "Chaos soak";
}
