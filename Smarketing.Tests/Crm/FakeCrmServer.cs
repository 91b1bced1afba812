using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Smarketing.Tests.Crm;

public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A canned answer the fake gives instead of doing the work.</summary>
public sealed record Fault(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A CRM's API on Kestrel bound to 127.0.0.1: records every request with the time the server received it,
/// and answers API requests with queued faults (or 503 while <see cref="Down"/>) before doing the real work.
/// </summary>
public abstract class FakeCrmServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private WebApplication? _web;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Answers every API request with 503 while true.</summary>
    public bool Down { get; set; }

    /// <summary>Faults for the next API requests, in order.</summary>
    public ConcurrentQueue<Fault> Faults { get; } = new();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<RecordedRequest> ApiRequests => [.. _requests.Where(r => IsApi(r.Path))];

    public abstract int RecordCount { get; }

    /// <summary>
    /// The API requests the client makes to create one new record when nothing fails (a CRM that refuses a first
    /// attempt, as Salesforce does for missing required fields, takes more than one).
    /// </summary>
    public abstract int ApiRequestsPerNewRecord { get; }

    public abstract IDictionary<string, string?> Settings();

    /// <summary>
    /// A refusal this CRM gives for a lead it will never accept as sent (a validation error), and the CRM's text the
    /// app must keep in the dead letter and the ledger.
    /// </summary>
    public abstract (Fault Fault, string Message) RefusalFault();

    protected abstract bool IsApi(string path);

    protected abstract void Map(WebApplication web);

    protected async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();
        web.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            var request = context.Request;
            _requests.Enqueue(new RecordedRequest(
                request.Method,
                request.Path.Value ?? string.Empty,
                request.QueryString.Value ?? string.Empty,
                request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body,
                DateTimeOffset.UtcNow));

            if (IsApi(request.Path.Value ?? string.Empty))
            {
                if (Down)
                {
                    await WriteAsync(context, new Fault(503, "{\"message\":\"Service Unavailable\"}"));
                    return;
                }

                if (Faults.TryDequeue(out var fault))
                {
                    await WriteAsync(context, fault);
                    return;
                }
            }

            await next(context);
        });
        Map(web);
        await web.StartAsync();
        _web = web;
        BaseAddress = new Uri(web.Urls.First());
    }

    protected static async Task WriteAsync(HttpContext context, Fault fault)
    {
        context.Response.StatusCode = fault.Status;
        foreach (var (name, value) in fault.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(fault.Body);
    }

    protected static Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
