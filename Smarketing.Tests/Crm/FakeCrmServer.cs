using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Smarketing.Tests.Infrastructure;

namespace Smarketing.Tests.Crm;

public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A canned answer the fake gives instead of doing the work.</summary>
public sealed record Fault(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>A lead's CRM record as a rep sees it: its id, owner and status in the CRM's own values.</summary>
public sealed record CrmRecordView(string Id, string? OwnerId, string? Status);

/// <summary>
/// A CRM's records as a rep sees and changes them by hand, whether the CRM is a fake server on 127.0.0.1 or the
/// app's own sandbox table (which needs the app to read).
/// </summary>
public interface ICrmRecords : IAsyncDisposable
{
    /// <summary>The app settings that select this CRM.</summary>
    IDictionary<string, string?> Settings();

    /// <summary>A status a rep moves a handed-off record to, in this CRM's values.</summary>
    string RepStatus { get; }

    /// <summary>The lead's record; null when the CRM has none.</summary>
    Task<CrmRecordView?> FindAsync(TestApp app, string leadId, string email);

    /// <summary>A rep reassigns the lead's record and moves its status, by hand in the CRM.</summary>
    Task ChangeAsRepAsync(TestApp app, string leadId, string email, string ownerId, string status);

    /// <summary>A rep deletes the lead's record in the CRM.</summary>
    Task DeleteAsync(TestApp app, string leadId, string email);
}

/// <summary>
/// A CRM's API on Kestrel bound to 127.0.0.1: records every request with the time the server received it,
/// and answers API requests with queued faults (or 503 while <see cref="Down"/>) before doing the real work.
/// </summary>
public abstract class FakeCrmServer : ICrmRecords
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private WebApplication? _web;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Answers every API request with 503 while true.</summary>
    public bool Down { get; set; }

    /// <summary>
    /// Asked for every request (token endpoints included) with its path: a fault to answer with, or null to go on. Lets a
    /// test tie an outage to the app's fake clock.
    /// </summary>
    public Func<string, Fault?>? FaultWhen { get; set; }

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

    public abstract string RepStatus { get; }

    /// <summary>The lead's record (Salesforce keys it on the external id, HubSpot on the e-mail address); null when there is none.</summary>
    public abstract CrmRecordView? RecordOf(string leadId, string email);

    /// <summary>A rep's hand edit: owner and status set as given, whatever the API's rules for updates.</summary>
    public abstract void ChangeAsRep(string leadId, string email, string ownerId, string status);

    public abstract void Delete(string leadId, string email);

    Task ICrmRecords.DeleteAsync(TestApp app, string leadId, string email)
    {
        Delete(leadId, email);
        return Task.CompletedTask;
    }

    Task<CrmRecordView?> ICrmRecords.FindAsync(TestApp app, string leadId, string email) => Task.FromResult(RecordOf(leadId, email));

    Task ICrmRecords.ChangeAsRepAsync(TestApp app, string leadId, string email, string ownerId, string status)
    {
        ChangeAsRep(leadId, email, ownerId, status);
        return Task.CompletedTask;
    }

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

            if (FaultWhen?.Invoke(request.Path.Value ?? string.Empty) is { } scheduled)
            {
                await WriteAsync(context, scheduled);
                return;
            }

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
