using Smarketing.Import;
using Smarketing.Tests.Infrastructure;
using Spectre.Console.Testing;
using Xunit;

namespace Smarketing.Tests.Imports;

/// <summary>
/// The command-line importer against the app itself: the real functions over HTTP on 127.0.0.1 (the host stand-in, with
/// its key check) and the host's queue listeners, on Azurite.
/// </summary>
public sealed class ImportCliEndToEndTests
{
    [Fact]
    public async Task Importer_AgainstTheApp_UploadsFollowsToFinishedAndSavesTheRejectedRows()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Imports:ChunkSize"] = "40" });
        await using var server = await LocalFunctionsServer.StartAsync(app);
        var listeners = app.ImportListeners();
        using var stop = new CancellationTokenSource();
        var work = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await listeners.Work.RunUntilEmptyAsync(TimeSpan.FromMinutes(2), stop.Token);
                await listeners.Batches.RunUntilEmptyAsync(TimeSpan.FromMinutes(2), stop.Token);
                await Task.Delay(100, stop.Token);
            }
        });

        var directory = Directory.CreateTempSubdirectory("smarketing-import-");
        try
        {
            var list = Path.Combine(directory.FullName, "fair.csv");
            await File.WriteAllTextAsync(list, ImportTesting.GeneratedCsv(100, bad: i => i == 7));
            var rejectedPath = Path.Combine(directory.FullName, "fair.rejected.csv");
            var console = new TestConsole();

            var exit = await ImportApp.RunAsync(
                [list, "--url", server.BaseAddress.ToString(), "--key", LocalFunctionsServer.FunctionKey, "--admin-key", TestApp.AdminKey, "--out", rejectedPath, "--poll", "200ms", "--timeout", "2m"],
                console,
                _ => null,
                CancellationToken.None);

            Assert.Equal(ImportExitCodes.Finished, exit);
            var rejected = await File.ReadAllLinesAsync(rejectedPath);
            Assert.Equal("row,field,problem", rejected[0]);
            Assert.StartsWith("9,email,", Assert.Single(rejected.Skip(1)), StringComparison.Ordinal);
            Assert.Contains(rejectedPath, console.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(TestApp.AdminKey, console.Output, StringComparison.Ordinal);
            Assert.Equal(50, (await TestApp.RowsAsync(app.Layout.SandboxCrm)).Count);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work);
            directory.Delete(recursive: true);
        }
    }
}
