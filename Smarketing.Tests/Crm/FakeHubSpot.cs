using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Smarketing.Core.Handoff.HubSpot;

namespace Smarketing.Tests.Crm;

/// <summary>
/// HubSpot's CRM v3 contacts API as the handoff uses it: batch upsert by <c>idProperty=email</c>, update and
/// read by id, private-app bearer tokens, validation errors for unknown properties and bad e-mail addresses,
/// and the lifecycle-stage rule: a stage earlier than the current one is silently ignored unless the stage
/// was cleared first.
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

    public override int ApiRequestsPerNewRecord => 1;

    public override (Fault Fault, string Message) RefusalFault() =>
        (ValidationError("Property values were not valid: phone must be in E.164 format"), "Property values were not valid: phone must be in E.164 format");

    public JsonObject? ContactByEmail(string email)
    {
        lock (_lock)
        {
            return _contacts.Values.FirstOrDefault(c => string.Equals(c["email"]?.ToString(), email, StringComparison.OrdinalIgnoreCase))?.DeepClone() as JsonObject;
        }
    }

    public override string RepStatus => "opportunity";

    public override CrmRecordView? RecordOf(string leadId, string email) =>
        ContactByEmail(email) is { } contact
            ? new CrmRecordView(contact["hs_object_id"]!.ToString(), contact["hubspot_owner_id"]?.ToString(), contact["lifecyclestage"]?.ToString())
            : null;

    public override void ChangeAsRep(string leadId, string email, string ownerId, string status)
    {
        lock (_lock)
        {
            var contact = _contacts.Values.Single(c => string.Equals(c["email"]?.ToString(), email, StringComparison.OrdinalIgnoreCase));
            contact["hubspot_owner_id"] = ownerId;
            contact["lifecyclestage"] = status;
        }
    }

    public override void Delete(string leadId, string email)
    {
        lock (_lock)
        {
            var contact = _contacts.Values.Single(c => string.Equals(c["email"]?.ToString(), email, StringComparison.OrdinalIgnoreCase));
            _contacts.Remove(contact["hs_object_id"]!.ToString());
        }
    }

    /// <summary>A contact that exists before the handoff, e.g. one a rep created by hand.</summary>
    public string Seed(string email, IDictionary<string, string> properties)
    {
        lock (_lock)
        {
            var id = (++_idCount).ToString(CultureInfo.InvariantCulture);
            var contact = new JsonObject { ["hs_object_id"] = id, ["email"] = email };
            foreach (var (name, value) in properties)
            {
                contact[name] = value;
            }

            _contacts[id] = contact;
            return id;
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
            if (input is null || input["idProperty"]?.ToString() != "email" || input["properties"] is not JsonObject properties)
            {
                await WriteAsync(context, ValidationError("Invalid input JSON on line 1: inputs[0] needs idProperty, id and properties"));
                return;
            }

            var email = input["id"]?.ToString() ?? string.Empty;
            if (await RefuseAsync(context, email, properties))
            {
                return;
            }

            JsonObject result;
            lock (_lock)
            {
                var contact = _contacts.Values.FirstOrDefault(c => string.Equals(c["email"]?.ToString(), email, StringComparison.OrdinalIgnoreCase));
                var created = contact is null;
                if (contact is null)
                {
                    var id = (++_idCount).ToString(CultureInfo.InvariantCulture);
                    contact = new JsonObject { ["hs_object_id"] = id, ["email"] = email };
                    _contacts[id] = contact;
                }

                Apply(contact, properties);
                result = Record(contact);
                result["new"] = created;
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

            var properties = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())?["properties"] as JsonObject ?? [];
            if (await RefuseAsync(context, null, properties))
            {
                return;
            }

            JsonObject? result = null;
            lock (_lock)
            {
                if (_contacts.TryGetValue(id, out var contact))
                {
                    Apply(contact, properties);
                    result = Record(contact);
                }
            }

            await (result is null
                ? JsonAsync(context, 404, new JsonObject { ["status"] = "error", ["message"] = "resource not found", ["category"] = "OBJECT_NOT_FOUND" })
                : JsonAsync(context, 200, result));
        });

        web.MapGet("/crm/v3/objects/contacts/{id}", async (HttpContext context, string id) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            JsonObject? result = null;
            lock (_lock)
            {
                if (_contacts.TryGetValue(id, out var contact))
                {
                    result = Record(contact);
                }
            }

            await (result is null
                ? JsonAsync(context, 404, new JsonObject { ["status"] = "error", ["message"] = "resource not found", ["category"] = "OBJECT_NOT_FOUND" })
                : JsonAsync(context, 200, result));
        });
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

    private static void Apply(JsonObject contact, JsonObject properties)
    {
        foreach (var (name, value) in properties)
        {
            var text = value?.ToString() ?? string.Empty;
            if (name == "lifecyclestage")
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
