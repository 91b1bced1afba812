using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Smarketing.Core.Handoff.Salesforce;

namespace Smarketing.Tests.Crm;

/// <summary>
/// Salesforce's REST API as the handoff uses it: the OAuth client-credentials token endpoint and the Lead
/// upsert by external id (201 + created:true, 200 + created:false), with its error-array format, 401
/// INVALID_SESSION_ID for unknown tokens, REQUIRED_FIELD_MISSING on create, and Sforce-Limit-Info.
/// </summary>
public sealed class FakeSalesforce : FakeCrmServer
{
    public const string ClientId = "3MVG9-test-consumer-key";
    public const string ClientSecret = "test-consumer-secret";
    public const string ExternalIdField = "Smarketing_Lead_Id__c";
    public const string ApiVersion = "v62.0";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _leads = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);
    private int _tokenCount;
    private int _apiCount;
    private int _idCount;

    private FakeSalesforce()
    {
    }

    /// <summary>Fields a new Lead must have.</summary>
    public List<string> RequiredOnCreate { get; } = ["LastName", "Company"];

    public long DailyApiLimit { get; set; } = 15000;

    public int TokensIssued => _tokenCount;

    public override int RecordCount
    {
        get
        {
            lock (_lock)
            {
                return _leads.Count;
            }
        }
    }

    public static async Task<FakeSalesforce> StartNewAsync()
    {
        var fake = new FakeSalesforce();
        await fake.StartAsync();
        return fake;
    }

    public JsonObject? Lead(string externalId)
    {
        lock (_lock)
        {
            return _leads.TryGetValue(externalId, out var lead) ? (JsonObject)lead.DeepClone() : null;
        }
    }

    public override string RepStatus => "Working - Contacted";

    public override CrmRecordView? RecordOf(string leadId, string email) =>
        Lead(leadId) is { } lead ? new CrmRecordView(lead["Id"]!.ToString(), lead["OwnerId"]?.ToString(), lead["Status"]?.ToString()) : null;

    public override void ChangeAsRep(string leadId, string email, string ownerId, string status)
    {
        lock (_lock)
        {
            var lead = _leads[leadId];
            lead["OwnerId"] = ownerId;
            lead["Status"] = status;
        }
    }

    public override void Delete(string leadId, string email)
    {
        lock (_lock)
        {
            _leads.Remove(leadId);
        }
    }

    /// <summary>Every issued token stops working, as when a session times out.</summary>
    public void ExpireSessions()
    {
        lock (_lock)
        {
            _tokens.Clear();
        }
    }

    public override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Crm:Provider"] = SalesforceCrmClient.ProviderName,
        ["Crm:Salesforce:LoginUrl"] = BaseAddress.ToString().TrimEnd('/'),
        ["Crm:Salesforce:ClientId"] = ClientId,
        ["Crm:Salesforce:ClientSecret"] = ClientSecret,
        ["Crm:Salesforce:ApiVersion"] = ApiVersion,
        ["Crm:Salesforce:ExternalIdField"] = ExternalIdField,
    };

    /// <summary>The client sends only what it knows first and adds LastName and Company once Salesforce asks for them.</summary>
    public override int ApiRequestsPerNewRecord => 2;

    public override (Fault Fault, string Message) RefusalFault() =>
        (Error(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Phone must be in E.164 format", "Phone"), "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone must be in E.164 format");

    public static Fault Error(int status, string errorCode, string message, params string[] fields) =>
        new(status, new JsonArray(new JsonObject
        {
            ["message"] = message,
            ["errorCode"] = errorCode,
            ["fields"] = new JsonArray([.. fields.Select(f => JsonValue.Create(f))]),
        }).ToJsonString());

    public static Fault RequestLimitExceeded() =>
        Error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");

    protected override bool IsApi(string path) => path.StartsWith("/services/data/", StringComparison.Ordinal);

    protected override void Map(WebApplication web)
    {
        web.MapPost("/services/oauth2/token", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
            {
                await JsonAsync(context, 400, new JsonObject { ["error"] = "invalid_client", ["error_description"] = "invalid client credentials" });
                return;
            }

            string token;
            lock (_lock)
            {
                token = $"00DTEST!token-{++_tokenCount}";
                _tokens.Add(token);
            }

            await JsonAsync(context, 200, new JsonObject
            {
                ["access_token"] = token,
                ["instance_url"] = BaseAddress.ToString().TrimEnd('/'),
                ["id"] = BaseAddress + "id/00DTEST/005TEST",
                ["token_type"] = "Bearer",
                ["issued_at"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["signature"] = "c2lnbmF0dXJl",
            });
        });

        web.MapMethods("/services/data/{version}/sobjects/Lead/{field}/{value}", ["PATCH"], async (HttpContext context, string version, string field, string value) =>
        {
            var used = Interlocked.Increment(ref _apiCount);
            context.Response.Headers["Sforce-Limit-Info"] = $"api-usage={used}/{DailyApiLimit}";
            var authorization = context.Request.Headers.Authorization.ToString();
            bool known;
            lock (_lock)
            {
                known = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.Contains(authorization["Bearer ".Length..]);
            }

            if (!known)
            {
                await WriteAsync(context, Error(401, "INVALID_SESSION_ID", "Session expired or invalid"));
                return;
            }

            if (version != ApiVersion || field != ExternalIdField)
            {
                await WriteAsync(context, Error(404, "NOT_FOUND", "The requested resource does not exist"));
                return;
            }

            if (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) is not JsonObject body)
            {
                await WriteAsync(context, Error(400, "JSON_PARSER_ERROR", "The request body is not a JSON object"));
                return;
            }

            if (body["Email"]?.ToString() is { } email && !email.Contains('@', StringComparison.Ordinal))
            {
                await WriteAsync(context, Error(400, "INVALID_EMAIL_ADDRESS", $"Email: invalid email address: {email}", "Email"));
                return;
            }

            Fault? refusal = null;
            JsonObject answer;
            int status;
            lock (_lock)
            {
                if (_leads.TryGetValue(value, out var existing))
                {
                    foreach (var (name, node) in body)
                    {
                        existing[name] = node?.DeepClone();
                    }

                    (status, answer) = (200, Result(existing["Id"]!.ToString(), created: false));
                }
                else
                {
                    var missing = RequiredOnCreate.Where(f => string.IsNullOrEmpty(body[f]?.ToString())).ToArray();
                    if (missing.Length > 0)
                    {
                        refusal = Error(400, "REQUIRED_FIELD_MISSING", $"Required fields are missing: [{string.Join(", ", missing)}]", missing);
                        (status, answer) = (400, []);
                    }
                    else
                    {
                        var id = "00Q" + (++_idCount).ToString("D12", CultureInfo.InvariantCulture);
                        var lead = (JsonObject)body.DeepClone();
                        lead["Id"] = id;
                        lead[ExternalIdField] = value;
                        _leads[value] = lead;
                        (status, answer) = (201, Result(id, created: true));
                    }
                }
            }

            if (refusal is not null)
            {
                await WriteAsync(context, refusal);
                return;
            }

            await JsonAsync(context, status, answer);
        });
    }

    private static JsonObject Result(string id, bool created) => new()
    {
        ["id"] = id,
        ["success"] = true,
        ["errors"] = new JsonArray(),
        ["created"] = created,
    };
}
