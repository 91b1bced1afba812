using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Smarketing.Functions;

namespace Smarketing.Tests.Infrastructure;

/// <summary>
/// Stands in for the Functions host over real HTTP on 127.0.0.1: Kestrel routes each request to the real
/// function class, checks the function key as the host does for AuthorizationLevel.Function, and a
/// background loop plays the host's queue listener. Used to run the smoke command end to end.
/// </summary>
public sealed class LocalFunctionsServer : IAsyncDisposable
{
    public const string FunctionKey = "test-function-key";

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

    public static async Task<LocalFunctionsServer> StartAsync(TestApp app, bool runQueueListener = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();

        web.MapPost("/api/leads/{source?}", (HttpContext c, string? source) => Invoke(c, () => app.Function<ScoreLead>().Run(c.Request, source, c.RequestAborted)));
        web.MapGet("/api/leads/{leadId}", (HttpContext c, string leadId) => Invoke(c, () => app.Function<GetLead>().Run(c.Request, leadId, c.RequestAborted)));
        web.MapGet("/api/handoffs/status", (HttpContext c, CancellationToken ct) => Invoke(c, () => app.Function<GetHandoffStatus>().Run(c.Request, ct)));
        web.MapPost("/api/crm/feedback", (HttpContext c, CancellationToken ct) => Invoke(c, () => app.Function<RecordCrmFeedback>().Run(c.Request, ct)));

        await web.StartAsync();
        return new LocalFunctionsServer(web, app, runQueueListener);
    }

    private static async Task Invoke(HttpContext context, Func<Task<IActionResult>> function)
    {
        if (context.Request.Headers["x-functions-key"] != FunctionKey && context.Request.Query["code"] != FunctionKey)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var result = await function();
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
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
