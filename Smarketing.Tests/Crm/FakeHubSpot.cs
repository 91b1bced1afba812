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
/// <see cref="AllowsBackwardStages"/>, simply taken, as some portals and API versions do).
/// </summary>
public sealed class FakeHubSpot : FakeCrmServer
{
    public const string AccessToken = "pat-na1-00000000-test-token";

    public static readonly string[] StageOrder =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _contacts = new(StringComparer.Ordinal);
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
            var contact = Find("smarketing_lead_id", leadId) ?? throw new InvalidOperationException($"No contact of lead '{leadId}'.");
            contact["hubspot_owner_id"] = ownerId;
            contact["lifecyclestage"] = status;
        }
    }

    public override void Delete(string leadId, string email)
    {
        lock (_lock)
        {
            var contact = Find("smarketing_lead_id", leadId) ?? throw new InvalidOperationException($"No contact of lead '{leadId}'.");
            _contacts.Remove(contact["hs_object_id"]!.ToString());
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

            _contacts[id] = contact;
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
        _contacts.Values.FirstOrDefault(c => c[property]?.ToString() is { Length: > 0 } held && string.Equals(held, value, StringComparison.OrdinalIgnoreCase));

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
        web.MapPost("/crm/v3/objects/contacts/batch/upsert", async context =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync());
            var input = body?["inputs"]?[0] as JsonObject;
            var idProperty = input?["idProperty"]?.ToString();
            var key = input?["id"]?.ToString();
            if (input is null || string.IsNullOrEmpty(idProperty) || string.IsNullOrEmpty(key) || input["properties"] is not JsonObject properties)
            {
                await WriteAsync(context, ValidationError("Invalid input JSON on line 1: inputs[0] needs idProperty, id and properties"));
                return;
            }

            if (await RefuseIdPropertyAsync(context, idProperty) || await RefuseAsync(context, idProperty == "email" ? key : null, properties))
            {
                return;
            }

            JsonObject? result = null;
            Fault? conflict;
            lock (_lock)
            {
                var contact = Find(idProperty, key);
                var created = contact is null;
                var candidate = contact?.DeepClone() as JsonObject ?? new JsonObject { [idProperty] = key };
                Apply(candidate, properties);
                conflict = Conflict(candidate, contact);
                if (conflict is null)
                {
                    if (contact is null)
                    {
                        var id = (++_idCount).ToString(CultureInfo.InvariantCulture);
                        candidate["hs_object_id"] = id;
                    }

                    _contacts[candidate["hs_object_id"]!.ToString()] = candidate;
                    result = Record(candidate);
                    result["new"] = created;
                }
            }

            if (conflict is not null)
            {
                await WriteAsync(context, conflict);
                return;
            }

            var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            await JsonAsync(context, 200, new JsonObject
            {
                ["status"] = "COMPLETE",
                ["results"] = new JsonArray(result),
                ["startedAt"] = now,
                ["completedAt"] = now,
            });
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
                        _contacts[candidate["hs_object_id"]!.ToString()] = candidate;
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
