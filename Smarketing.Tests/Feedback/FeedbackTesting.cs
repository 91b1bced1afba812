using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Smarketing.Functions;
using Smarketing.Functions.Http;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;

namespace Smarketing.Tests.Feedback;

/// <summary>Settings, requests and storage snapshots shared by the feedback tests.</summary>
internal static class FeedbackTesting
{
    /// <summary>The org id as Outbound Messages carry it (18 characters); the settings name its 15-character form.</summary>
    public const string OrganizationId = "00Do0000000e0vQEAQ";
    public const string OutboundSecret = "om-token-7Yb2kQ9xV4mN1pR8";
    public const string FlowSecret = "flow-secret-5Tg8hJ2wQ6zL3cX9";
    public const string NextFlowSecret = "flow-secret-next-0000000001";
    public const string HubSpotClientSecret = "5d0ce4a2-8f1b-4c3e-9a7d-2b6e1f0c9d84";
    public const string OldHubSpotClientSecret = "old-client-secret-0000000001";
    public const string HubSpotApiKey = "hubspot-key-3Kd9fW2pZ7vB5nQ1";
    public const string PublicBaseUrl = "https://smarketing.example.net";

    private static int _notifications;

    /// <summary>
    /// Every feedback format set up, with two secrets active where a rotation is under way and the org's picklist values
    /// mapped, so one app per test class covers them all (each test class takes one Azurite account).
    /// </summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Feedback:Salesforce:OrganizationIds"] = "00Do0000000e0vQ",
        ["Feedback:Salesforce:OutboundMessageSecrets"] = OutboundSecret,
        ["Feedback:Salesforce:FlowSecrets"] = NextFlowSecret + ", " + FlowSecret,
        ["Feedback:Salesforce:Fields:StatusMap"] = "Closed - Not Converted=DISQUALIFIED;Working - Contacted=SAL",
        ["Feedback:Salesforce:Fields:ReasonMap"] = "Not a fit=NOT_A_FIT;No budget=NO_BUDGET;Wrong contact data=BAD_DATA",
        ["Feedback:HubSpot:ClientSecrets"] = OldHubSpotClientSecret + "," + HubSpotClientSecret,
        ["Feedback:HubSpot:Secrets"] = HubSpotApiKey,
        ["Feedback:HubSpot:PublicBaseUrl"] = PublicBaseUrl,
    };

    /// <summary>A notification id no other test uses (the delivery log remembers ids for the life of the account).</summary>
    public static string NewNotificationId() =>
        "04lo" + Interlocked.Increment(ref _notifications).ToString("D11", CultureInfo.InvariantCulture) + "QAP";

    /// <summary>Posts the article's lead under each id and runs the handoff until they are all SAL.</summary>
    public static async Task HandOffAsync(this TestApp app, params string[] ids)
    {
        foreach (var id in ids)
        {
            var posted = await app.PostLeadAsync(Leads.Article(id).ToJsonString());
            if (posted.Status != 202)
            {
                throw new InvalidOperationException($"Lead {id} was not accepted: {posted.Body}");
            }
        }

        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        if (listener.Failures > 0)
        {
            throw new InvalidOperationException($"The handoff failed: {string.Join("; ", listener.Errors.Select(e => e.Message))}");
        }
    }

    /// <summary>The rows of a table that are about one lead.</summary>
    public static async Task<List<TableEntity>> RowsOfAsync(TableClient table, string leadId) =>
        [.. (await TestApp.RowsAsync(table)).Where(r => r.GetString("LeadId") == leadId)];

    public static Task<TestApp> StartAsync(IDictionary<string, string?>? overrides = null)
    {
        var settings = Settings();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestApp.StartAsync(settings: settings);
    }

    public static async Task<HttpResult> PostOutboundMessageAsync(this TestApp app, string envelope, string? token = OutboundSecret, string contentType = "text/xml; charset=utf-8")
    {
        var request = HttpInvoker.Request("POST", "/api/crm/feedback/salesforce-outbound", envelope, contentType);
        request.Headers["SOAPAction"] = "\"\"";
        if (token is not null)
        {
            request.QueryString = new QueryString("?token=" + Uri.EscapeDataString(token));
        }

        return await HttpInvoker.ExecuteAsync(request, await app.Function<RecordSalesforceOutboundMessage>().Run(request, CancellationToken.None));
    }

    public static async Task<HttpResult> PostFlowAsync(this TestApp app, string json, string? secret = FlowSecret)
    {
        var request = HttpInvoker.Request("POST", "/api/crm/feedback/salesforce-flow", json);
        if (secret is not null)
        {
            request.Headers[WebhookRequests.SecretHeader] = secret;
        }

        return await HttpInvoker.ExecuteAsync(request, await app.Function<RecordSalesforceFlowFeedback>().Run(request, CancellationToken.None));
    }

    /// <summary>Posts as HubSpot does with a v3 signature: the HMAC is computed here from the spec, not by the code under test.</summary>
    public static async Task<HttpResult> PostHubSpotSignedAsync(
        this TestApp app,
        string json,
        string clientSecret = HubSpotClientSecret,
        DateTimeOffset? timestamp = null,
        string query = "",
        Action<HttpRequest>? tamper = null)
    {
        var request = HttpInvoker.Request("POST", "/api/crm/feedback/hubspot", json);
        request.QueryString = new QueryString(query);
        var ts = (timestamp ?? app.Time.GetUtcNow()).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        request.Headers["X-HubSpot-Signature-v3"] = SignV3(clientSecret, "POST", PublicBaseUrl + "/api/crm/feedback/hubspot" + query, json, ts);
        request.Headers["X-HubSpot-Request-Timestamp"] = ts;
        tamper?.Invoke(request);
        return await HttpInvoker.ExecuteAsync(request, await app.Function<RecordHubSpotFeedback>().Run(request, CancellationToken.None));
    }

    public static async Task<HttpResult> PostHubSpotWithApiKeyAsync(this TestApp app, string json, string? apiKey = HubSpotApiKey)
    {
        var request = HttpInvoker.Request("POST", "/api/crm/feedback/hubspot", json);
        if (apiKey is not null)
        {
            request.Headers[WebhookRequests.SecretHeader] = apiKey;
        }

        return await HttpInvoker.ExecuteAsync(request, await app.Function<RecordHubSpotFeedback>().Run(request, CancellationToken.None));
    }

    /// <summary>HubSpot's v3 scheme as its documentation states it: base64(HMAC-SHA256(secret, method + uri + body + timestamp)).</summary>
    public static string SignV3(string secret, string method, string uri, string body, string timestamp) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(method + uri + body + timestamp)));

    public static async Task<HttpResult> GetSummaryAsync(this TestApp app, string query)
    {
        var request = TestApp.AdminRequest("GET", "/api/feedback/summary");
        request.QueryString = new QueryString(query);
        return await HttpInvoker.ExecuteAsync(request, await app.Function<GetFeedbackSummary>().Run(request, CancellationToken.None));
    }

    public static async Task<HttpResult> GetExportAsync(this TestApp app, string query)
    {
        var request = TestApp.AdminRequest("GET", "/api/feedback/export");
        request.QueryString = new QueryString(query);
        return await HttpInvoker.ExecuteAsync(request, await app.Function<ExportFeedback>().Run(request, CancellationToken.None));
    }

    public static TableClient Deliveries(this TestApp app) => app.Layout.FeedbackDeliveries;

    /// <summary>Every row of the ledger and the feedback tables with its ETag: equal snapshots mean nothing was written.</summary>
    public static async Task<List<string>> SnapshotAsync(this TestApp app)
    {
        var rows = new List<string>();
        foreach (var table in new[] { app.Layout.LeadLedger, app.Layout.DisqualificationFeedback, app.Deliveries() })
        {
            foreach (var row in await TestApp.RowsAsync(table))
            {
                rows.Add($"{table.Name}|{row.PartitionKey}|{row.RowKey}|{row.ETag}");
            }
        }

        return rows;
    }

    public static string Status(this HttpResult lead) => lead.Json.GetProperty("status").GetString()!;

    public static int HistoryLength(this HttpResult lead) => lead.Json.GetProperty("history").GetArrayLength();
}
