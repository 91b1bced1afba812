using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;
using Smarketing.Functions;
using Smarketing.Functions.Composition;
using Smarketing.Functions.Storage;
using Smarketing.HostStandIn;

namespace Smarketing.Soak;

/// <summary>
/// The app as one process, the way the Functions host would run it: the app's own composition root, its HTTP
/// functions on Kestrel (127.0.0.1) behind the host's key check, listeners for <c>mql-handoff</c> and
/// <c>mql-handoff-poison</c>, and the reconciler on a timer. Settings come as <c>Key=Value</c> arguments.
/// </summary>
internal static class SoakHost
{
    public const string PortSetting = "Soak:Port";
    public const string FunctionKeySetting = "Soak:FunctionKey";
    public const string MasterKeySetting = "Soak:MasterKey";
    public const string ListenersSetting = "Soak:Listeners";
    public const string VisibilityTimeoutSetting = "Soak:VisibilityTimeout";
    public const string LeaseSetting = "Soak:Lease";
    public const string ReconcileEverySetting = "Soak:ReconcileEvery";

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = args.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1], StringComparer.OrdinalIgnoreCase);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var port = int.Parse(settings[PortSetting]!, CultureInfo.InvariantCulture);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.AddSmarketing();

        // A connection the fault proxy cut mid-request must fail within seconds, not after the SDK's 100 s network
        // timeout: start-up creates the tables and queues through the proxy, and the driver waits for it.
        builder.Services.ConfigureAll<Azure.Data.Tables.TableClientOptions>(o => o.Retry.NetworkTimeout = TimeSpan.FromSeconds(10));
        builder.Services.ConfigureAll<Azure.Storage.Queues.QueueClientOptions>(o => o.Retry.NetworkTimeout = TimeSpan.FromSeconds(10));
        var web = builder.Build();
        web.MapFunctions(web.Services, new FunctionKeys(settings[FunctionKeySetting]!, settings[MasterKeySetting]!));
        await web.StartAsync();

        var layout = web.Services.GetRequiredService<StorageLayout>();
        var queueSettings = new HostQueueSettings(
            MaxDequeueCount: 5,
            VisibilityTimeout: Setting(settings, VisibilityTimeoutSetting, TimeSpan.FromSeconds(2)),
            MaxPollingInterval: TimeSpan.FromMilliseconds(500),
            BatchSize: 1,
            MessageEncoding: "base64");
        var lease = Setting(settings, LeaseSetting, TimeSpan.FromSeconds(20));
        var listeners = int.Parse(settings.GetValueOrDefault(ListenersSetting) ?? "16", CultureInfo.InvariantCulture);
        var poisonPoison = web.Services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient(layout.HandoffPoison.Name + "-poison");
        T F<T>() => ActivatorUtilities.CreateInstance<T>(web.Services);

        using var stop = new CancellationTokenSource();
        var loops = new List<Task>();

        // The host runs a batch of 16 handoffs at a time; each stand-in listener runs one, so 16 of them.
        for (var i = 0; i < listeners; i++)
        {
            var handoff = new QueueTriggerHost(layout.Handoff, layout.HandoffPoison, queueSettings, (m, ct) => F<HandOffMql>().Run(m, ct)) { Lease = lease };
            loops.Add(Task.Run(() => handoff.RunAsync(stop.Token)));
        }

        var poison = new QueueTriggerHost(layout.HandoffPoison, poisonPoison, queueSettings, (m, ct) => F<RecordPoisonedHandoff>().Run(m, ct)) { Lease = lease };
        loops.Add(Task.Run(() => poison.RunAsync(stop.Token)));
        loops.Add(Task.Run(() => ReconcileAsync(web.Services.GetRequiredService<HandoffReconciler>(), Setting(settings, ReconcileEverySetting, TimeSpan.FromSeconds(3)), web.Logger, stop.Token)));

        // Ready for the driver; it stops this process by SIGKILL or SIGTERM.
        Console.WriteLine("soak host listening on " + port.ToString(CultureInfo.InvariantCulture));
        await web.WaitForShutdownAsync();
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        return 0;
    }

    private static async Task ReconcileAsync(HandoffReconciler reconciler, TimeSpan every, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, cancellationToken);
                await reconciler.ReconcileAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The host logs a failed timer invocation and runs the next one; so does the stand-in.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
#pragma warning disable CA1848, CA2254 // A stand-in's own log line, not the app's.
                logger.LogWarning(ex, "ReconcileHandoffs failed; the next tick runs it again.");
#pragma warning restore CA1848, CA2254
            }
        }
    }

    private static TimeSpan Setting(Dictionary<string, string?> settings, string name, TimeSpan fallback) =>
        settings.GetValueOrDefault(name) is { } text ? TimeSpan.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
