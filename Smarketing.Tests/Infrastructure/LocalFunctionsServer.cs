using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Smarketing.Tests.Infrastructure;

/// <summary>
/// Stands in for the Functions host over real HTTP on 127.0.0.1: Kestrel routes each request to the real
/// function class through <see cref="FunctionEndpoints"/> (function and master keys checked as the host does), and a
/// background loop plays the host's queue listener. Used to run the smoke command end to end.
/// </summary>
public sealed class LocalFunctionsServer : IAsyncDisposable
{
    /// <summary>The host's default host key: it opens every function (host keys do), as the stand-in's default.</summary>
    public const string FunctionKey = "test-function-key";

    public const string MasterKey = "test-master-key";

    private readonly WebApplication _web;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _listener;

    private LocalFunctionsServer(WebApplication web, TestApp app, bool runQueueListener)
    {
        _web = web;
        BaseAddress = new Uri(web.Urls.First() + "/");
        if (!runQueueListener)
        {
            _listener = Task.CompletedTask;
            return;
        }

        var handoff = app.HandoffListener(retryDelay: TimeSpan.FromMilliseconds(200));
        _listener = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await handoff.RunUntilEmptyAsync(TimeSpan.FromSeconds(30), _stop.Token);
                    await Task.Delay(HostQueueSettings.FromHostJson().MaxPollingInterval / 4, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public Uri BaseAddress { get; }

    /// <summary>The host's keys: <see cref="FunctionKey"/> as its default host key and <see cref="MasterKey"/>; no named function key.</summary>
    public static FunctionKeys DefaultKeys => new(FunctionKey, MasterKey);

    /// <summary>Starts the stand-in with <paramref name="keys"/> (default <see cref="DefaultKeys"/>).</summary>
    public static async Task<LocalFunctionsServer> StartAsync(TestApp app, bool runQueueListener = true, FunctionKeys? keys = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();

        web.MapFunctions(app.Services, keys ?? DefaultKeys);

        await web.StartAsync();
        return new LocalFunctionsServer(web, app, runQueueListener);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _listener;
        await _web.StopAsync();
        await _web.DisposeAsync();
        _stop.Dispose();
    }
}
