using System.Globalization;
using System.Text;
using Smarketing.Core.Intake.Generic;
using Smarketing.Core.Intake.HubSpot;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Intake;

public sealed class WebhookIntakeTests
{
    private const string HubSpotSecret = "hubspot-client-secret-0123456789";
    private const string MarketoSecret = "marketo-shared-secret-0123456789";

    private static readonly Dictionary<string, string?> VendorSettings = new()
    {
        ["Intake:HubSpot:ClientSecrets"] = HubSpotSecret,
        ["Intake:Marketo:Secrets"] = MarketoSecret,
    };

    private static Dictionary<string, string> StandardWebhookHeaders(TestApp app, string body, string? secret = TestApp.GenericSecret, long? timestamp = null, string id = "msg_test_1")
    {
        StandardWebhooks.TryDecodeSecret(secret!, out var key);
        var ts = timestamp ?? app.Time.GetUtcNow().ToUnixTimeSeconds();
        return new Dictionary<string, string>
        {
            [StandardWebhooks.IdHeader] = id,
            [StandardWebhooks.TimestampHeader] = ts.ToString(CultureInfo.InvariantCulture),
            [StandardWebhooks.SignatureHeader] = StandardWebhooks.Sign(key, id, ts, Encoding.UTF8.GetBytes(body)),
        };
    }

    private static Dictionary<string, string> HubSpotHeaders(TestApp app, string body, string uri, string secret = HubSpotSecret, long? millis = null)
    {
        var ts = (millis ?? app.Time.GetUtcNow().ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            [HubSpotSignatures.TimestampHeader] = ts,
            [HubSpotSignatures.V3Header] = HubSpotSignatures.SignV3(secret, "POST", uri, Encoding.UTF8.GetBytes(body), ts),
        };
    }

    private static async Task AssertNothingStoredAsync(TestApp app)
    {
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
    }

    public static TheoryData<string> BadGenericDeliveries => new()
    {
        "no-headers", "tampered-body", "wrong-secret", "stale", "future", "malformed-timestamp", "malformed-signature", "signature-of-another-id",
    };

    [Theory]
    [MemberData(nameof(BadGenericDeliveries))]
    public async Task Generic_BadSignature_401AndNothingStoredOrEnqueued(string badCase)
    {
        await using var app = await TestApp.StartAsync();
        var body = Leads.Article().ToJsonString();
        var now = app.Time.GetUtcNow().ToUnixTimeSeconds();
        var headers = StandardWebhookHeaders(app, body);
        var sent = body;
        switch (badCase)
        {
            case "no-headers": headers.Clear(); break;
            case "tampered-body": sent = body.Replace("\"companySize\":250", "\"companySize\":2500", StringComparison.Ordinal); break;
            case "wrong-secret": headers = StandardWebhookHeaders(app, body, "whsec_" + Convert.ToBase64String(new byte[32])); break;
            case "stale": headers = StandardWebhookHeaders(app, body, timestamp: now - 301); break;
            case "future": headers = StandardWebhookHeaders(app, body, timestamp: now + 301); break;
            case "malformed-timestamp": headers[StandardWebhooks.TimestampHeader] = "yesterday"; break;
            case "malformed-signature": headers[StandardWebhooks.SignatureHeader] = "v1,%%%"; break;
            case "signature-of-another-id": headers[StandardWebhooks.IdHeader] = "msg_replayed"; break;
        }

        if (badCase == "tampered-body")
        {
            Assert.NotEqual(body, sent);
        }

        var response = await app.PostToSourceAsync(null, sent, "application/json", headers);

        Assert.Equal(401, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task Generic_NoSecretConfigured_401NamingTheSetting()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Intake:Generic:Secrets"] = "" });

        var response = await app.PostToSourceAsync(null, Leads.Article().ToJsonString(), "application/json", new Dictionary<string, string>());

        Assert.Equal(401, response.Status);
        Assert.Contains("Intake__Generic__Secrets", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task Generic_UnsignedAllowedForLocalDevelopment_Accepted()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Intake:Generic:Secrets"] = "", ["Intake:Generic:AllowUnsigned"] = "true", ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" });

        var response = await app.PostToSourceAsync(null, Leads.Article().ToJsonString(), "application/json", new Dictionary<string, string>());

        Assert.Equal(202, response.Status);
    }

    [Fact]
    public async Task HubSpot_ContactPayloadSignedV3_ScoredThroughTheMapping()
    {
        await using var app = await TestApp.StartAsync(settings: VendorSettings);
        var headers = HubSpotHeaders(app, Payloads.HubSpotContact, "https://smarketing.example.com/api/leads/hubspot");

        var response = await app.PostToSourceAsync("hubspot", Payloads.HubSpotContact, "application/json", headers);

        Assert.Equal(202, response.Status);
        Assert.Equal("hubspot-12345", response.Json.GetProperty("leadId").GetString());
        Assert.Equal(80, response.Json.GetProperty("score").GetInt32());
        Assert.Equal("MQL", response.Json.GetProperty("status").GetString());
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.LeadLedger), r => r.RowKey == Smarketing.Functions.Storage.TableLeadLedger.RowKey);
        Assert.Equal("2026-q4-webinar", row.GetString("MqlCampaign"));
        Assert.Equal("ORGANIC_SEARCH", row.GetString("MqlSource"));
        Assert.Equal(300, row.GetInt32("CompanySize"));
    }

    [Fact]
    public async Task HubSpot_FlatPayloadChosenByHeader_Accepted()
    {
        await using var app = await TestApp.StartAsync(settings: VendorSettings);
        var headers = HubSpotHeaders(app, Payloads.HubSpotFlat, "https://smarketing.example.com/api/leads");
        headers["X-Smarketing-Source"] = "hubspot";

        var response = await app.PostToSourceAsync(null, Payloads.HubSpotFlat, "application/json", headers);

        Assert.Equal(202, response.Status);
        Assert.Equal("hubspot-777", response.Json.GetProperty("leadId").GetString());
        Assert.Equal(80, response.Json.GetProperty("score").GetInt32());
    }

    [Fact]
    public async Task HubSpot_MappingFromConfiguration_ReadsTheCustomersProperty()
    {
        var settings = new Dictionary<string, string?>(VendorSettings) { ["Intake:HubSpot:Fields:industry"] = "company_vertical" };
        await using var app = await TestApp.StartAsync(settings: settings);
        var body = Payloads.HubSpotFlat.Replace("\"industry\":\"FinTech\"", "\"industry\":\"Retail\",\"company_vertical\":\"FinTech\"", StringComparison.Ordinal);

        var response = await app.PostToSourceAsync("hubspot", body, "application/json", HubSpotHeaders(app, body, "https://smarketing.example.com/api/leads/hubspot"));

        Assert.Equal(202, response.Status);
        Assert.Contains(response.Json.GetProperty("explanation").EnumerateArray(), l => l.GetProperty("ruleId").GetString() == "industry-fit" && l.GetProperty("points").GetInt32() == 20);
    }

    [Fact]
    public async Task HubSpot_BehindAProxy_SignatureCheckedAgainstThePublicUri()
    {
        var settings = new Dictionary<string, string?>(VendorSettings) { ["Intake:HubSpot:PublicBaseUrl"] = "https://leads.customer.example/" };
        await using var app = await TestApp.StartAsync(settings: settings);
        var headers = HubSpotHeaders(app, Payloads.HubSpotFlat, "https://leads.customer.example/api/leads/hubspot");

        // The worker sees an internal host and scheme; HubSpot signed the public one.
        var response = await app.PostToSourceAsync("hubspot", Payloads.HubSpotFlat, "application/json", headers, scheme: "http", host: "127.0.0.1:7071");

        Assert.Equal(202, response.Status);
    }

    [Fact]
    public async Task HubSpot_BehindTwoTrustedProxies_SignatureCheckedAgainstTheHostTheOutermostSaw()
    {
        var settings = new Dictionary<string, string?>(VendorSettings) { ["Http:TrustedProxyHops"] = "2" };
        await using var app = await TestApp.StartAsync(settings: settings);
        var headers = HubSpotHeaders(app, Payloads.HubSpotFlat, "https://leads.customer.example/api/leads/hubspot");
        headers["X-Forwarded-Proto"] = "https, http";
        headers["X-Forwarded-Host"] = "leads.customer.example, internal-gateway:8080";

        var response = await app.PostToSourceAsync("hubspot", Payloads.HubSpotFlat, "application/json", headers, scheme: "http", host: "127.0.0.1:7071");

        Assert.Equal(202, response.Status);
    }

    [Theory]
    [InlineData("wrong-secret")]
    [InlineData("stale")]
    [InlineData("tampered-body")]
    [InlineData("other-uri")]
    [InlineData("no-headers")]
    public async Task HubSpot_BadSignature_401AndNothingStored(string badCase)
    {
        await using var app = await TestApp.StartAsync(settings: VendorSettings);
        const string uri = "https://smarketing.example.com/api/leads/hubspot";
        var body = Payloads.HubSpotContact;
        var headers = badCase switch
        {
            "wrong-secret" => HubSpotHeaders(app, body, uri, secret: "another-client-secret-0123456789"),
            "stale" => HubSpotHeaders(app, body, uri, millis: app.Time.GetUtcNow().AddMinutes(-6).ToUnixTimeMilliseconds()),
            "other-uri" => HubSpotHeaders(app, body, "https://attacker.example/api/leads/hubspot"),
            "no-headers" => [],
            _ => HubSpotHeaders(app, body, uri),
        };
        var sent = badCase == "tampered-body" ? body.Replace("SaaS", "SaaS ", StringComparison.Ordinal) : body;

        var response = await app.PostToSourceAsync("hubspot", sent, "application/json", headers);

        Assert.Equal(401, response.Status);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task Marketo_TemplateOfStringTokensWithSharedSecret_ScoredAsTheArticlesLead()
    {
        await using var app = await TestApp.StartAsync(settings: VendorSettings);

        var response = await app.PostToSourceAsync("marketo", Payloads.MarketoTemplate, "application/json", new Dictionary<string, string> { ["X-Smarketing-Secret"] = MarketoSecret });

        Assert.Equal(202, response.Status);
        Assert.Equal("marketo-00q-4711", response.Json.GetProperty("leadId").GetString());
        Assert.Equal(80, response.Json.GetProperty("score").GetInt32());
    }

    [Theory]
    [InlineData("marketo-shared-secret-012345678")]
    [InlineData("")]
    [InlineData(null)]
    public async Task Marketo_WrongOrMissingSecret_401AndNothingStored(string? secret)
    {
        await using var app = await TestApp.StartAsync(settings: VendorSettings);
        var headers = secret is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["X-Smarketing-Secret"] = secret };

        var response = await app.PostToSourceAsync("marketo", Payloads.MarketoTemplate, "application/json", headers);

        Assert.Equal(401, response.Status);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task Marketo_BadValue_400NamingTheTemplateKey()
    {
        var settings = new Dictionary<string, string?>(VendorSettings) { ["Intake:Marketo:Fields:companySize"] = "Number_of_Employees" };
        await using var app = await TestApp.StartAsync(settings: settings);
        var body = Payloads.MarketoTemplate.Replace("\"companySize\":\"250\"", "\"Number_of_Employees\":\"lots\"", StringComparison.Ordinal);

        var response = await app.PostToSourceAsync("marketo", body, "application/json", new Dictionary<string, string> { ["X-Smarketing-Secret"] = MarketoSecret });

        Assert.Equal(400, response.Status);
        Assert.Equal(["Number_of_Employees"], response.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        await AssertNothingStoredAsync(app);
    }

    [Theory]
    [InlineData("salesloft")]
    [InlineData("1")]
    [InlineData("Generic, HubSpot")]
    public async Task Post_UnknownSource_404AndNothingStored(string source)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostToSourceAsync(source, "{}", "application/json", new Dictionary<string, string>());

        Assert.Equal(404, response.Status);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task Start_BadIntakeSettings_FailsNamingEach()
    {
        // Each source validates its own section, so two bad sources fail start together, each named.
        var failure = await Assert.ThrowsAsync<AggregateException>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Intake:Generic:Secrets"] = "not-a-whsec-secret!",
                ["Intake:HubSpot:PublicBaseUrl"] = "leads.example.com",
                ["Intake:HubSpot:Fields:revenue"] = "annualrevenue",
            });
        });

        Assert.Contains("Intake:Generic:Secrets", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Intake:HubSpot:PublicBaseUrl", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Intake:HubSpot:Fields:revenue", failure.Message, StringComparison.Ordinal);
    }
}
