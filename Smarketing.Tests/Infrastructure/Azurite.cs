using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Smarketing.Tests.Infrastructure;

/// <summary>
/// One real Azurite process for the whole test run (npm package <c>azurite</c>, bound to 127.0.0.1,
/// in-memory). Each test class takes its own storage account of that process, so classes run in
/// parallel without seeing each other's tables and queues. When <c>SMARKETING_TEST_AZURITE</c> names a
/// running Azurite's table, queue and blob ports (<c>tablePort,queuePort,blobPort</c>) it is used instead; it must have
/// been started with the same accounts (see <see cref="AccountsVariable"/>).
/// </summary>
public static class Azurite
{
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const int AccountCount = 96;
    private static readonly Lazy<Task<(int TablePort, int QueuePort, int? BlobPort)>> Instance = new(StartAsync);
    private static readonly System.Collections.Concurrent.ConcurrentQueue<int> FreeAccounts = new(Enumerable.Range(1, AccountCount));

    /// <summary>The value of AZURITE_ACCOUNTS that declares the test accounts.</summary>
    public static string AccountsVariable =>
        string.Join(';', Enumerable.Range(1, AccountCount).Select(i => $"{AccountName(i)}:{AccountKey}"));

    /// <summary>
    /// Leases a storage account no other running test uses. Disposing the lease deletes the account's tables
    /// and queues and returns it to the pool, so a run needs only as many accounts as tests run at once.
    /// </summary>
    public static async Task<AccountLease> LeaseAccountAsync()
    {
        var (tablePort, queuePort, blobPort) = await Instance.Value;
        if (!FreeAccounts.TryDequeue(out var n))
        {
            throw new InvalidOperationException($"All {AccountCount} Azurite test accounts are in use; a test leaks its TestApp, or raise AccountCount.");
        }

        var account = AccountName(n);
        return new AccountLease(
            n,
            $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={AccountKey};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{account};QueueEndpoint=http://127.0.0.1:{queuePort}/{account};" +
            (blobPort is { } blob ? $"BlobEndpoint=http://127.0.0.1:{blob}/{account};" : string.Empty));
    }

    internal static void Release(int account) => FreeAccounts.Enqueue(account);

    private static string AccountName(int i) => $"smkt{i:D3}";

    private static async Task<(int, int, int?)> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("SMARKETING_TEST_AZURITE");
        if (!string.IsNullOrWhiteSpace(external))
        {
            // tablePort,queuePort[,blobPort]: without the blob port, the import tests cannot store uploads.
            var parts = external.Split(',');
            return (
                int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
                parts.Length > 2 ? int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : null);
        }

        var (_, tablePort, queuePort, blobPort) = await LaunchAsync();
        return (tablePort, queuePort, blobPort);
    }

    /// <summary>
    /// An Azurite process of its own, for a test that loads storage like a production day (the chaos soak): it
    /// neither waits behind nor slows the shared one, and starts from an empty store whatever ran before it.
    /// </summary>
    public static async Task<DedicatedAzurite> StartDedicatedAsync()
    {
        var (process, tablePort, queuePort, _) = await LaunchAsync();
        return new DedicatedAzurite(process, tablePort, queuePort, AccountName(1));
    }

    private static async Task<(Process Process, int TablePort, int QueuePort, int BlobPort)> LaunchAsync()
    {
        var root = RepositoryRoot();
        var azurite = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            // A fresh clone: install the pinned Azurite from package-lock.json first.
            await RunAsync("npm", "ci --no-audit --no-fund", root, TimeSpan.FromMinutes(5));
        }

        var tablePort = FreePort();
        var queuePort = FreePort();
        var blobPort = FreePort();
        var info = new ProcessStartInfo(azurite)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
                     "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["AZURITE_ACCOUNTS"] = AccountsVariable;
        var process = Process.Start(info) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        };

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await IsListeningAsync(tablePort) && await IsListeningAsync(queuePort) && await IsListeningAsync(blobPort)))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Azurite did not listen on 127.0.0.1 within 60 s.");
            }

            await Task.Delay(100);
        }

        return (process, tablePort, queuePort, blobPort);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "package.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("package.json (the Azurite pin) was not found above the test binaries.");
    }

    private static async Task RunAsync(string file, string arguments, string directory, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{file} did not start.");
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {arguments}' failed with exit code {process.ExitCode}.");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A storage account of the shared Azurite, for one test at a time.</summary>
public sealed class AccountLease(int account, string connectionString) : IAsyncDisposable
{
    private int _released;

    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }

        var tables = new Azure.Data.Tables.TableServiceClient(ConnectionString);
        await foreach (var table in tables.QueryAsync())
        {
            await tables.DeleteTableAsync(table.Name);
        }

        var queues = new Azure.Storage.Queues.QueueServiceClient(ConnectionString);
        await foreach (var queue in queues.GetQueuesAsync())
        {
            await queues.DeleteQueueAsync(queue.Name);
        }

        Azurite.Release(account);
    }
}

/// <summary>An Azurite process of one test's own (<see cref="Azurite.StartDedicatedAsync"/>); disposing it ends the process.</summary>
public sealed class DedicatedAzurite(Process process, int tablePort, int queuePort, string accountName) : IAsyncDisposable
{
    public int TablePort { get; } = tablePort;

    public int QueuePort { get; } = queuePort;

    public string AccountName { get; } = accountName;

    public async ValueTask DisposeAsync()
    {
        try
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}
