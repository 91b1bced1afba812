using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Smarketing.Core.Handoff.HubSpot;

namespace Smarketing.Tests.Crm;

/// <summary>
/// HubSpot's CRM v3 contacts API as the handoff uses it: batch upsert by a unique property (<c>idProperty</c>), read
/// and update by id or by a unique property, private-app bearer tokens, validation errors for unknown properties,
/// non-unique <c>idProperty</c>s and bad e-mail addresses, unique values (e-mail address, <c>smarketing_lead_id</c>)
/// compared case-insensitively with a 409 for a value another contact holds, and the lifecycle-stage rule: a stage
/// earlier than the current one is silently ignored unless the stage was cleared first (or, with
/// <see cref="AllowsBackwardStages"/>, simply taken, as some portals and API versions do). HubSpot's limits too: batch
/// endpoints (upsert, read) take at most <see cref="BatchLimit"/> inputs (400 <c>VALIDATION_ERROR</c> beyond), and the API
/// serves <see cref="RateLimit"/> requests per rolling <see cref="RateWindow"/> (429 with <c>Retry-After</c> beyond). A batch
/// upsert of several inputs answers each input's own problem (invalid address, <see cref="RefusedLeadIds"/>, an address or
/// unique value another contact holds) as an error naming it (<c>context.ids</c>) in a 207 beside the others' results.
/// </summary>
public sealed class FakeHubSpot : FakeCrmServer
{
    public const string AccessToken = "pat-na1-00000000-test-token";

    public static readonly string[] StageOrder =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];

    /// <summary>The most inputs a batch endpoint takes.</summary>
    public const int BatchLimit = 100;

    private readonly Lock _lock = new();
    private readonly Lock _rateLock = new();
    private readonly Queue<DateTimeOffset> _served = new();
    private readonly Queue<DateTimeOffset> _seen = new();
    private long _received;
    private long _rateLimited;
    private int _maxInWindow;
    private readonly Dictionary<string, JsonObject> _contacts = new(StringComparer.Ordinal);

    // The contacts' ids by property and value (compared as HubSpot compares unique values), so a lookup of a batch of 100
    // stays cheap when the portal holds 50,000 contacts (the import benchmark). Kept by Put and Remove.
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _index = new(StringComparer.Ordinal);
    private int _idCount = 100;

    private FakeHubSpot()
    {
    }

    public HashSet<string> KnownProperties { get; } = new(StringComparer.Ordinal)
    {
        "email", "phone", "firstname", "lastname", "hubspot_owner_id", "smarketing_mql_score", "smarketing_last_interesting_moment",
        "industry", "country", "smarketing_lead_id", "lifecyclestage", "hs_lead_status",
    };

    /// <summary>Properties whose values are unique per contact (<c>hasUniqueValue</c>; the e-mail address always is).</summary>
    public HashSet<string> UniqueProperties { get; } = new(StringComparer.Ordinal) { "email", "smarketing_lead_id" };

    /// <summary>
    /// The API requests served per <see cref="RateWindow"/> across all endpoints (a private app's 190 per rolling 10 s);
    /// beyond, HubSpot's 429 <c>TEN_SECONDLY_ROLLING</c> with a <c>Retry-After</c> in whole seconds until a request leaves
    /// the window. A request answered 429 does not count. Requests answered by <see cref="FakeCrmServer.Faults"/>,
    /// <see cref="FakeCrmServer.FaultWhen"/> or <see cref="FakeCrmServer.Down"/> never reach the limit.
    /// </summary>
    public int RateLimit { get; set; } = 190;

    /// <summary>The rolling window of <see cref="RateLimit"/>.</summary>
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock of the rate limit.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The API requests that reached the rate limit (served or answered 429).</summary>
    public long ReceivedRequests
    {
        get
        {
            lock (_rateLock)
            {
                return _received;
            }
        }
    }

    /// <summary>The 429s the rate limit answered.</summary>
    public long RateLimitedResponses
    {
        get
        {
            lock (_rateLock)
            {
                return _rateLimited;
            }
        }
    }

    /// <summary>The most API requests received (served or not) within any one <see cref="RateWindow"/>.</summary>
    public int MaxRequestsInWindow
    {
        get
        {
            lock (_rateLock)
            {
                return _maxInWindow;
            }
        }
    }

    /// <summary>
    /// Lead ids (values of the upsert's <c>idProperty</c>) whose input a batch upsert refuses with a validation error
    /// that quotes the input's e-mail address: in a 207 among the other inputs' results, or as the 400 of a batch of one.
    /// Set before the requests.
    /// </summary>
    public HashSet<string> RefusedLeadIds { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When true, an earlier lifecycle stage is taken as sent, without clearing first.</summary>
    public bool AllowsBackwardStages { get; set; }

    public override int RecordCount
    {
        get
        {
            lock (_lock)
            {
                return _contacts.Count;
            }
        }
    }

    public static async Task<FakeHubSpot> StartNewAsync()
    {
        var fake = new FakeHubSpot();
        await fake.StartAsync();
        return fake;
    }

    public override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Crm:Provider"] = HubSpotCrmClient.ProviderName,
        ["Crm:HubSpot:BaseUrl"] = BaseAddress.ToString().TrimEnd('/'),
        ["Crm:HubSpot:AccessToken"] = AccessToken,
    };

    public override int ApiRequestsPerNewRecord => 2;

    public override (Fault Fault, string Message) RefusalFault() =>
        (ValidationError("Property values were not valid: phone must be in E.164 format"), "Property values were not valid: phone must be in E.164 format");

    public JsonObject? ContactByEmail(string email) => ContactBy("email", email);

    public JsonObject? ContactByLeadId(string leadId) => ContactBy("smarketing_lead_id", leadId);

    /// <summary>Every contact, as HubSpot holds it.</summary>
    public IReadOnlyList<JsonObject> Contacts()
    {
        lock (_lock)
        {
            return [.. _contacts.Values.Select(c => (JsonObject)c.DeepClone())];
        }
    }

    public override string RepStatus => "opportunity";

    public override CrmRecordView? RecordOf(string leadId, string email) =>
        ContactByLeadId(leadId) is { } contact
            ? new CrmRecordView(contact["hs_object_id"]!.ToString(), contact["hubspot_owner_id"]?.ToString(), contact["lifecyclestage"]?.ToString())
            : null;

    public override void ChangeAsRep(string leadId, string email, string ownerId, string status)
    {
        lock (_lock)
        {
            var contact = (JsonObject)(Find("smarketing_lead_id", leadId) ?? throw new InvalidOperationException($"No contact of lead '{leadId}'.")).DeepClone();
            contact["hubspot_owner_id"] = ownerId;
            contact["lifecyclestage"] = status;
            Put(contact);
        }
    }

    public override void Delete(string leadId, string email)
    {
        lock (_lock)
        {
            var contact = Find("smarketing_lead_id", leadId) ?? throw new InvalidOperationException($"No contact of lead '{leadId}'.");
            Remove(contact["hs_object_id"]!.ToString());
        }
    }

    /// <summary>A contact that exists before the handoff, e.g. one a rep created by hand or a form submission made.</summary>
    public string Seed(string? email, IDictionary<string, string> properties)
    {
        lock (_lock)
        {
            var id = (++_idCount).ToString(CultureInfo.InvariantCulture);
            var contact = new JsonObject { ["hs_object_id"] = id };
            if (email is not null)
            {
                contact["email"] = email;
            }

            foreach (var (name, value) in properties)
            {
                contact[name] = value;
            }

            Put(contact);
            return id;
        }
    }

    private JsonObject? ContactBy(string property, string value)
    {
        lock (_lock)
        {
            return Find(property, value)?.DeepClone() as JsonObject;
        }
    }

    // HubSpot compares unique values case-insensitively.
    private JsonObject? Find(string property, string value) =>
        _index.TryGetValue(property, out var byValue) && byValue.TryGetValue(value, out var ids)
            ? ids.Select(id => _contacts[id]).OrderBy(c => long.Parse(c["hs_object_id"]!.ToString(), CultureInfo.InvariantCulture)).FirstOrDefault()
            : null;

    // Stores a contact under its hs_object_id, replacing the one held, and indexes its values.
    private void Put(JsonObject contact)
    {
        var id = contact["hs_object_id"]!.ToString();
        Remove(id);
        _contacts[id] = contact;
        foreach (var (property, node) in contact)
        {
            if (node?.ToString() is { Length: > 0 } value)
            {
                var byValue = _index.TryGetValue(property, out var held) ? held : _index[property] = new(StringComparer.OrdinalIgnoreCase);
                (byValue.TryGetValue(value, out var ids) ? ids : byValue[value] = new(StringComparer.Ordinal)).Add(id);
            }
        }
    }

    private void Remove(string id)
    {
        if (!_contacts.Remove(id, out var old))
        {
            return;
        }

        foreach (var (property, node) in old)
        {
            if (node?.ToString() is { Length: > 0 } value && _index.TryGetValue(property, out var byValue) && byValue.TryGetValue(value, out var ids))
            {
                ids.Remove(id);
                if (ids.Count == 0)
                {
                    byValue.Remove(value);
                }
            }
        }
    }

    public static Fault RateLimited(int retryAfterSeconds) => new(
        429,
        new JsonObject
        {
            ["status"] = "error",
            ["message"] = "You have reached your secondly limit.",
            ["errorType"] = "RATE_LIMIT",
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["policyName"] = "SECONDLY",
        }.ToJsonString(),
        new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture) });

    /// <summary>HubSpot's answer when a private app has spent its requests of the rolling ten seconds.</summary>
    public static Fault TenSecondlyRateLimited(int retryAfterSeconds) => new(
        429,
        new JsonObject
        {
            ["status"] = "error",
            ["message"] = "You have reached your ten_secondly_rolling limit.",
            ["errorType"] = "RATE_LIMIT",
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["policyName"] = "TEN_SECONDLY_ROLLING",
        }.ToJsonString(),
        new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture) });

    public static Fault ValidationError(string message) => new(
        400,
        new JsonObject
        {
            ["status"] = "error",
            ["message"] = message,
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["category"] = "VALIDATION_ERROR",
        }.ToJsonString());

    protected override bool IsApi(string path) => path.StartsWith("/crm/", StringComparison.Ordinal);

    public static Fault ContactExists(string existingId) => new(
        409,
        new JsonObject
        {
            ["status"] = "error",
            ["message"] = $"Contact already exists. Existing ID: {existingId}",
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["category"] = "CONFLICT",
        }.ToJsonString());

    protected override void Map(WebApplication web)
    {
        web.Use(async (context, next) =>
        {
            if (IsApi(context.Request.Path.Value ?? string.Empty) && RateLimitedAnswer() is { } refused)
            {
                await WriteAsync(context, refused);
                return;
            }

            await next(context);
        });

        web.MapPost("/crm/v3/objects/contacts/batch/upsert", async context =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync());
            var inputs = (body?["inputs"] as JsonArray)?.ToList() ?? [];
            if (await RefuseBatchSizeAsync(context, inputs.Count))
            {
                return;
            }

            var parsed = new List<(string IdProperty, string Key, JsonObject Properties)>();
            foreach (var (node, line) in inputs.Select((n, i) => (n, i)))
            {
                var idProperty = node?["idProperty"]?.ToString();
                var key = node?["id"]?.ToString();
                if (string.IsNullOrEmpty(idProperty) || string.IsNullOrEmpty(key) || node?["properties"] is not JsonObject properties)
                {
                    await WriteAsync(context, ValidationError($"Invalid input JSON on line 1: inputs[{line}] needs idProperty, id and properties"));
                    return;
                }

                parsed.Add((idProperty, key, properties));
            }

            var duplicates = parsed.GroupBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                await WriteAsync(context, ValidationError($"Duplicate IDs found in batch input: [{string.Join(", ", duplicates)}]. IDs must be unique"));
                return;
            }

            foreach (var idProperty in parsed.Select(p => p.IdProperty).Distinct(StringComparer.Ordinal))
            {
                if (await RefuseIdPropertyAsync(context, idProperty))
                {
                    return;
                }
            }

            // Unknown properties refuse the whole request; so does anything wrong with the only input of a batch of one,
            // as the one-lead path has always seen it. In a larger batch an input's own problem is its error in a 207.
            if (await RefuseUnknownPropertiesAsync(context, parsed.Select(p => p.Properties)))
            {
                return;
            }

            var results = new JsonArray();
            var errors = new List<(Fault Fault, string Key)>();
            lock (_lock)
            {
                foreach (var (idProperty, key, properties) in parsed)
                {
                    if (InputProblem(idProperty == "email" ? key : properties["email"]?.ToString(), key) is { } problem)
                    {
                        errors.Add((problem, key));
                        continue;
                    }

                    var contact = Find(idProperty, key);
                    var created = contact is null;
                    var candidate = contact?.DeepClone() as JsonObject ?? new JsonObject { [idProperty] = key };
                    Apply(candidate, properties);
                    if (Conflict(candidate, contact) is { } conflict)
                    {
                        errors.Add((conflict, key));
                        continue;
                    }

                    if (contact is null)
                    {
                        var id = (++_idCount).ToString(CultureInfo.InvariantCulture);
                        candidate["hs_object_id"] = id;
                    }

                    Put(candidate);
                    var result = Record(candidate);
                    result["new"] = created;
                    results.Add(result);
                }
            }

            if (parsed.Count == 1 && errors.Count == 1)
            {
                await WriteAsync(context, errors[0].Fault);
                return;
            }

            var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            var answer = new JsonObject
            {
                ["status"] = "COMPLETE",
                ["results"] = results,
                ["startedAt"] = now,
                ["completedAt"] = now,
            };
            if (errors.Count > 0)
            {
                answer["numErrors"] = errors.Count;
                answer["errors"] = new JsonArray([.. errors.Select(e => (JsonNode)RecordError(e.Fault, e.Key))]);
            }

            await JsonAsync(context, errors.Count > 0 ? 207 : 200, answer);
        });

        web.MapPost("/crm/v3/objects/contacts/batch/read", async context =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync());
            var idProperty = body?["idProperty"]?.ToString() ?? "hs_object_id";
            var inputs = (body?["inputs"] as JsonArray)?.Select(i => i?["id"]?.ToString()).ToList() ?? [];
            if (await RefuseBatchSizeAsync(context, inputs.Count) || (idProperty != "hs_object_id" && await RefuseIdPropertyAsync(context, idProperty)))
            {
                return;
            }

            var wanted = (body?["properties"] as JsonArray)?.Select(p => p?.ToString()).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];
            var results = new JsonArray();
            var missing = new List<string>();
            lock (_lock)
            {
                foreach (var id in inputs.OfType<string>())
                {
                    var contact = idProperty == "hs_object_id" ? _contacts.GetValueOrDefault(id) : Find(idProperty, id);
                    if (contact is null)
                    {
                        missing.Add(id);
                        continue;
                    }

                    var record = Record(contact);
                    var properties = new JsonObject { ["hs_object_id"] = contact["hs_object_id"]!.ToString() };
                    foreach (var name in wanted.Where(n => contact[n] is not null))
                    {
                        properties[name] = contact[name]!.ToString();
                    }

                    record["properties"] = properties;
                    results.Add(record);
                }
            }

            var answer = new JsonObject { ["status"] = "COMPLETE", ["results"] = results };
            if (missing.Count > 0)
            {
                answer["numErrors"] = 1;
                answer["errors"] = new JsonArray(new JsonObject
                {
                    ["status"] = "error",
                    ["category"] = "OBJECT_NOT_FOUND",
                    ["message"] = "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
                    ["context"] = new JsonObject { ["ids"] = new JsonArray([.. missing.Select(m => (JsonNode)m)]) },
                });
            }

            await JsonAsync(context, missing.Count > 0 ? 207 : 200, answer);
        });

        web.MapMethods("/crm/v3/objects/contacts/{id}", ["PATCH"], async (HttpContext context, string id) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            var idProperty = context.Request.Query["idProperty"].ToString();
            var properties = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())?["properties"] as JsonObject ?? [];
            if ((idProperty.Length > 0 && await RefuseIdPropertyAsync(context, idProperty)) || await RefuseAsync(context, null, properties))
            {
                return;
            }

            JsonObject? result = null;
            Fault? conflict = null;
            lock (_lock)
            {
                var contact = idProperty.Length > 0 ? Find(idProperty, id) : _contacts.GetValueOrDefault(id);
                if (contact is not null)
                {
                    var candidate = (JsonObject)contact.DeepClone();
                    Apply(candidate, properties);
                    conflict = Conflict(candidate, contact);
                    if (conflict is null)
                    {
                        Put(candidate);
                        result = Record(candidate);
                    }
                }
            }

            await (conflict is not null ? WriteAsync(context, conflict)
                : result is null ? NotFoundAsync(context)
                : JsonAsync(context, 200, result));
        });

        web.MapGet("/crm/v3/objects/contacts/{id}", async (HttpContext context, string id) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            var idProperty = context.Request.Query["idProperty"].ToString();
            if (idProperty.Length > 0 && await RefuseIdPropertyAsync(context, idProperty))
            {
                return;
            }

            JsonObject? result = null;
            lock (_lock)
            {
                var contact = idProperty.Length > 0 ? Find(idProperty, id) : _contacts.GetValueOrDefault(id);
                if (contact is not null)
                {
                    result = Record(contact);
                }
            }

            await (result is null ? NotFoundAsync(context) : JsonAsync(context, 200, result));
        });
    }

    private static Task NotFoundAsync(HttpContext context) =>
        JsonAsync(context, 404, new JsonObject { ["status"] = "error", ["message"] = "resource not found", ["category"] = "OBJECT_NOT_FOUND" });

    /// <summary>A 409 when <paramref name="candidate"/> would hold a unique value another contact than <paramref name="self"/> holds.</summary>
    private Fault? Conflict(JsonObject candidate, JsonObject? self)
    {
        foreach (var property in UniqueProperties)
        {
            if (candidate[property]?.ToString() is not { Length: > 0 } value || Find(property, value) is not { } other || ReferenceEquals(other, self))
            {
                continue;
            }

            var otherId = other["hs_object_id"]!.ToString();
            return property == "email"
                ? ContactExists(otherId)
                : new Fault(409, new JsonObject
                {
                    ["status"] = "error",
                    ["message"] = $"A contact with the value '{value}' for the unique property {property} already exists. Existing ID: {otherId}",
                    ["correlationId"] = Guid.NewGuid().ToString(),
                    ["category"] = "CONFLICT",
                }.ToJsonString());
        }

        return null;
    }

    /// <summary>HubSpot's answer to a batch request of more inputs than it takes.</summary>
    private static async Task<bool> RefuseBatchSizeAsync(HttpContext context, int inputs)
    {
        if (inputs is > 0 and <= BatchLimit)
        {
            return false;
        }

        await WriteAsync(context, ValidationError(inputs == 0
            ? "Invalid input JSON: inputs must not be empty"
            : $"Batch input size {inputs} exceeds the limit {BatchLimit}: limit {BatchLimit}"));
        return true;
    }

    /// <summary>Unknown properties in any input refuse the whole request.</summary>
    private async Task<bool> RefuseUnknownPropertiesAsync(HttpContext context, IEnumerable<JsonObject> inputs)
    {
        var unknown = inputs.SelectMany(p => p.Select(kv => kv.Key)).Where(name => !KnownProperties.Contains(name)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count == 0)
        {
            return false;
        }

        var problems = new JsonArray([.. unknown.Select(name => (JsonNode)new JsonObject
        {
            ["isValid"] = false,
            ["message"] = $"Property \"{name}\" does not exist",
            ["error"] = "PROPERTY_DOESNT_EXIST",
            ["name"] = name,
        })]);
        await WriteAsync(context, ValidationError("Property values were not valid: " + problems.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
        return true;
    }

    /// <summary>A validation error of one input: an invalid address, or a lead id a test marked in <see cref="RefusedLeadIds"/>.</summary>
    private Fault? InputProblem(string? email, string key)
    {
        var problems = new JsonArray();
        if (email is not null && !email.Contains('@', StringComparison.Ordinal))
        {
            problems.Add(new JsonObject { ["isValid"] = false, ["message"] = $"Email address {email} is invalid", ["error"] = "INVALID_EMAIL", ["name"] = "email" });
        }

        if (RefusedLeadIds.Contains(key))
        {
            problems.Add(new JsonObject { ["isValid"] = false, ["message"] = $"{email} was not a valid value for the property phone: must be in E.164 format", ["error"] = "INVALID_OPTION", ["name"] = "phone" });
        }

        return problems.Count == 0
            ? null
            : ValidationError("Property values were not valid: " + problems.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <summary>A whole-request error as HubSpot lists it among a 207's errors, naming its input.</summary>
    private static JsonObject RecordError(Fault fault, string key)
    {
        var body = JsonNode.Parse(fault.Body)!.AsObject();
        return new JsonObject
        {
            ["status"] = "error",
            ["category"] = body["category"]?.ToString(),
            ["message"] = body["message"]?.ToString(),
            ["context"] = new JsonObject { ["ids"] = new JsonArray(key) },
        };
    }

    /// <summary>Counts the request against the rate limit: HubSpot's 429 when the window is full, else null.</summary>
    private Fault? RateLimitedAnswer()
    {
        lock (_rateLock)
        {
            var now = Clock.GetUtcNow();
            _received++;
            while (_seen.Count > 0 && _seen.Peek() <= now - RateWindow)
            {
                _seen.Dequeue();
            }

            _seen.Enqueue(now);
            _maxInWindow = Math.Max(_maxInWindow, _seen.Count);
            while (_served.Count > 0 && _served.Peek() <= now - RateWindow)
            {
                _served.Dequeue();
            }

            if (_served.Count >= RateLimit)
            {
                _rateLimited++;
                var wait = _served.Peek() + RateWindow - now;
                return TenSecondlyRateLimited(Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));
            }

            _served.Enqueue(now);
            return null;
        }
    }

    private async Task<bool> RefuseIdPropertyAsync(HttpContext context, string idProperty)
    {
        if (!KnownProperties.Contains(idProperty))
        {
            await WriteAsync(context, ValidationError($"Property \"{idProperty}\" does not exist"));
            return true;
        }

        if (!UniqueProperties.Contains(idProperty))
        {
            await WriteAsync(context, ValidationError($"Unable to perform update/upsert by non-unique 0-1 property {idProperty} in portal ID 12345678"));
            return true;
        }

        return false;
    }

    private static async Task<bool> AuthorizedAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() == "Bearer " + AccessToken)
        {
            return true;
        }

        await JsonAsync(context, 401, new JsonObject
        {
            ["status"] = "error",
            ["message"] = "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["category"] = "INVALID_AUTHENTICATION",
        });
        return false;
    }

    private async Task<bool> RefuseAsync(HttpContext context, string? email, JsonObject properties)
    {
        var problems = new JsonArray();
        email ??= properties["email"]?.ToString();
        if (email is not null && !email.Contains('@', StringComparison.Ordinal))
        {
            problems.Add(new JsonObject { ["isValid"] = false, ["message"] = $"Email address {email} is invalid", ["error"] = "INVALID_EMAIL", ["name"] = "email" });
        }

        foreach (var (name, _) in properties)
        {
            if (!KnownProperties.Contains(name))
            {
                problems.Add(new JsonObject { ["isValid"] = false, ["message"] = $"Property \"{name}\" does not exist", ["error"] = "PROPERTY_DOESNT_EXIST", ["name"] = name });
            }
        }

        if (problems.Count == 0)
        {
            return false;
        }

        await WriteAsync(context, ValidationError("Property values were not valid: " + problems.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
        return true;
    }

    private void Apply(JsonObject contact, JsonObject properties)
    {
        foreach (var (name, value) in properties)
        {
            var text = value?.ToString() ?? string.Empty;
            if (name == "lifecyclestage" && !AllowsBackwardStages)
            {
                var current = contact["lifecyclestage"]?.ToString() ?? string.Empty;
                var backwards = text.Length > 0 && current.Length > 0 && Array.IndexOf(StageOrder, text) < Array.IndexOf(StageOrder, current);
                if (backwards)
                {
                    // HubSpot's rule: silently keep the later stage.
                    continue;
                }
            }

            contact[name] = text;
        }
    }

    private static JsonObject Record(JsonObject contact) => new()
    {
        ["id"] = contact["hs_object_id"]!.ToString(),
        ["properties"] = contact.DeepClone(),
        ["createdAt"] = "2026-11-02T09:00:00.000Z",
        ["updatedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        ["archived"] = false,
    };
}
