using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Smarketing.Soak;

/// <summary>What the fake CRM does with a call right now.</summary>
internal enum CrmWeather
{
    /// <summary>Random faults: 15 % 5xx, 5 % 429 with Retry-After, 2 % timeouts.</summary>
    Stormy,

    /// <summary>Every call answered 503: the CRM is down.</summary>
    Outage,

    /// <summary>Every call answered 401: the access token expired.</summary>
    Unauthorized,

    /// <summary>No faults: the faults have stopped.</summary>
    Calm,
}

/// <summary>
/// HubSpot's contacts API as the handoff uses it (read and batch upsert by the unique property
/// <c>idProperty=smarketing_lead_id</c>, read and update by id, bearer token, e-mail addresses unique per contact with a
/// 409 "Contact already exists"), on Kestrel at 127.0.0.1, with the soak's weather. It records every contact it creates
/// with the Smarketing lead id it was sent, so a second record for one lead is counted.
/// </summary>
internal sealed class ChaosCrm : IAsyncDisposable
{
    public const string AccessToken = "pat-na1-00000000-soak-token";

    private const string LeadIdProperty = "smarketing_lead_id";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByEmail = new(StringComparer.OrdinalIgnoreCase);

    // HubSpot compares unique values case-insensitively.
    private readonly Dictionary<string, string> _idByLeadId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _createdPerLead = new(StringComparer.Ordinal);
    private readonly Func<CrmWeather> _weather;
    private readonly Random _random;
    private WebApplication? _web;
    private int _nextId = 1000;
    private long _calls;
    private long _faults;

    public ChaosCrm(Func<CrmWeather> weather, int seed)
    {
        _weather = weather;
        _random = new Random(seed);
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every API call received, faulted or not.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public long Faults => Interlocked.Read(ref _faults);

    public int Records
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Records created per Smarketing lead id; more than one is a duplicate record.</summary>
    public IReadOnlyDictionary<string, int> CreatedPerLead()
    {
        lock (_lock)
        {
            return new Dictionary<string, int>(_createdPerLead, StringComparer.Ordinal);
        }
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _web = builder.Build();
        _web.MapPost("/crm/v3/objects/contacts/batch/upsert", c => HandleAsync(c, UpsertAsync));
        _web.MapMethods("/crm/v3/objects/contacts/{id}", ["PATCH"], (HttpContext c, string id) => HandleAsync(c, ctx => PatchAsync(ctx, id)));
        _web.MapGet("/crm/v3/objects/contacts/{id}", (HttpContext c, string id) => HandleAsync(c, ctx => GetAsync(ctx, id)));
        await _web.StartAsync();
        BaseAddress = new Uri(_web.Urls.First());
    }

    private async Task HandleAsync(HttpContext context, Func<HttpContext, Task> handler)
    {
        Interlocked.Increment(ref _calls);
        var weather = _weather();
        if (weather == CrmWeather.Outage)
        {
            Interlocked.Increment(ref _faults);
            await ErrorAsync(context, 503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.");
            return;
        }

        if (weather == CrmWeather.Unauthorized || context.Request.Headers.Authorization.ToString() != "Bearer " + AccessToken)
        {
            Interlocked.Increment(ref _faults);
            await ErrorAsync(context, 401, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 authentication.");
            return;
        }

        double roll;
        lock (_random)
        {
            roll = _random.NextDouble();
        }

        if (weather == CrmWeather.Stormy && roll < 0.15)
        {
            Interlocked.Increment(ref _faults);
            var status = roll < 0.05 ? 500 : roll < 0.10 ? 502 : 503;
            await ErrorAsync(context, status, "INTERNAL_ERROR", "internal error");
            return;
        }

        if (weather == CrmWeather.Stormy && roll < 0.20)
        {
            Interlocked.Increment(ref _faults);
            context.Response.Headers.RetryAfter = "1";
            await ErrorAsync(context, 429, "RATE_LIMIT", "You have reached your secondly limit.");
            return;
        }

        if (weather == CrmWeather.Stormy && roll < 0.22)
        {
            // The nasty timeout: the write happens, the answer never arrives.
            Interlocked.Increment(ref _faults);
            await handler(new DefaultHttpContext { Request = { Body = context.Request.Body, Method = context.Request.Method } });
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            context.Abort();
            return;
        }

        await handler(context);
    }

    private async Task UpsertAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var input = body?["inputs"]?[0] as JsonObject;
        if (input is null || input["properties"] is not JsonObject properties || input["id"]?.ToString() is not { Length: > 0 } leadId)
        {
            await ErrorAsync(context, 400, "VALIDATION_ERROR", "inputs[0] needs idProperty, id and properties");
            return;
        }

        if (input["idProperty"]?.ToString() != LeadIdProperty)
        {
            await ErrorAsync(context, 400, "VALIDATION_ERROR", $"Unable to perform update/upsert by non-unique 0-1 property {input["idProperty"]} in portal ID 12345678");
            return;
        }

        JsonObject? result = null;
        string? holder = null;
        lock (_lock)
        {
            var created = !_idByLeadId.TryGetValue(leadId, out var id);
            if (EmailHeldByOther(properties, id) is { } other)
            {
                holder = other;
            }
            else
            {
                if (created)
                {
                    id = (++_nextId).ToString(CultureInfo.InvariantCulture);
                    _idByLeadId[leadId] = id;
                    _byId[id] = new JsonObject { ["hs_object_id"] = id, [LeadIdProperty] = leadId };
                    _createdPerLead[leadId] = _createdPerLead.GetValueOrDefault(leadId) + 1;
                }

                result = Record(Apply(_byId[id!], properties));
                result["new"] = created;
            }
        }

        await (holder is not null
            ? ErrorAsync(context, 409, "CONFLICT", $"Contact already exists. Existing ID: {holder}")
            : JsonAsync(context, 200, new JsonObject { ["status"] = "COMPLETE", ["results"] = new JsonArray(result) }));
    }

    private async Task PatchAsync(HttpContext context, string id)
    {
        var properties = (await JsonNode.ParseAsync(context.Request.Body))?["properties"] as JsonObject ?? [];
        JsonObject? result = null;
        string? holder = null;
        lock (_lock)
        {
            var contactId = ContactId(context, id);
            if (contactId is not null && _byId.ContainsKey(contactId))
            {
                holder = EmailHeldByOther(properties, contactId);
                result = holder is null ? Record(Apply(_byId[contactId], properties)) : null;
            }
        }

        await (holder is not null ? ErrorAsync(context, 409, "CONFLICT", $"Contact already exists. Existing ID: {holder}")
            : result is null ? ErrorAsync(context, 404, "OBJECT_NOT_FOUND", "resource not found")
            : JsonAsync(context, 200, result));
    }

    private async Task GetAsync(HttpContext context, string id)
    {
        JsonObject? result;
        lock (_lock)
        {
            result = ContactId(context, id) is { } contactId && _byId.TryGetValue(contactId, out var contact) ? Record(contact) : null;
        }

        await (result is null ? ErrorAsync(context, 404, "OBJECT_NOT_FOUND", "resource not found") : JsonAsync(context, 200, result));
    }

    /// <summary>The contact id the path names: the id itself, or the lead id with <c>?idProperty=smarketing_lead_id</c>.</summary>
    private string? ContactId(HttpContext context, string id) =>
        context.Request.Query["idProperty"].ToString() == LeadIdProperty ? _idByLeadId.GetValueOrDefault(id) : id;

    /// <summary>The contact that already has the e-mail address <paramref name="properties"/> set, other than <paramref name="self"/>.</summary>
    private string? EmailHeldByOther(JsonObject properties, string? self) =>
        properties["email"]?.ToString() is { Length: > 0 } email && _idByEmail.TryGetValue(email, out var holder) && holder != self ? holder : null;

    private JsonObject Apply(JsonObject contact, JsonObject properties)
    {
        foreach (var (name, value) in properties)
        {
            if (name == "email" && contact["email"]?.ToString() is { Length: > 0 } old)
            {
                _idByEmail.Remove(old);
            }

            contact[name] = value?.ToString();
            if (name == "email" && value?.ToString() is { Length: > 0 } email)
            {
                _idByEmail[email] = contact["hs_object_id"]!.ToString();
            }
        }

        return contact;
    }

    private static JsonObject Record(JsonObject contact) => new()
    {
        ["id"] = contact["hs_object_id"]!.ToString(),
        ["properties"] = contact.DeepClone(),
        ["archived"] = false,
    };

    private static Task ErrorAsync(HttpContext context, int status, string category, string message) =>
        JsonAsync(context, status, new JsonObject { ["status"] = "error", ["message"] = message, ["category"] = category, ["correlationId"] = Guid.NewGuid().ToString() });

    private static async Task JsonAsync(HttpContext context, int status, JsonObject body)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }
    }
}
