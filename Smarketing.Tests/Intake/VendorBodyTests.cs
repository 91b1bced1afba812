using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Smarketing.Core.Intake;
using Smarketing.Core.Intake.HubSpot;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Intake;

/// <summary>Vendor bodies at the size vendors send them, the per-source body limit, and the record of HubSpot refusals.</summary>
public sealed class VendorBodyTests
{
    private const string HubSpotSecret = "hubspot-client-secret-0123456789";
    private const string HubSpotUri = "https://smarketing.example.com/api/leads/hubspot";

    private static readonly Dictionary<string, string?> HubSpotSettings = new() { ["Intake:HubSpot:ClientSecrets"] = HubSpotSecret };

    private static Dictionary<string, string> Signed(TestApp app, string body)
    {
        var ts = app.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            [HubSpotSignatures.TimestampHeader] = ts,
            [HubSpotSignatures.V3Header] = HubSpotSignatures.SignV3(HubSpotSecret, "POST", HubSpotUri, Encoding.UTF8.GetBytes(body), ts),
        };
    }

    private static JsonObject History(string current, string older, int versions)
    {
        var history = new JsonArray();
        for (var v = 0; v < versions; v++)
        {
            history.Add(new JsonObject
            {
                ["value"] = v == 0 ? current : older,
                ["source-type"] = "CRM_UI",
                ["source-id"] = "userId:" + (4711 + v).ToString(CultureInfo.InvariantCulture),
                ["source-label"] = null,
                ["updated-by-user-id"] = 4711 + v,
                ["timestamp"] = 1761800000000L - (v * 86_400_000L),
                ["selected"] = false,
            });
        }

        return new JsonObject { ["value"] = current, ["versions"] = history };
    }

    /// <summary>
    /// A HubSpot contact as a workflow sends it with all properties: the mapped ones of <see cref="Payloads.HubSpotContact"/>,
    /// each with a history whose older values would score differently, and <paramref name="others"/> unmapped properties
    /// with <paramref name="versions"/> versions each.
    /// </summary>
    private static string LargeContact(int others, int versions)
    {
        var properties = new JsonObject
        {
            ["email"] = History("test@example.com", "old@example.com", versions),
            ["phone"] = History("555-123-4567", "555-000-0000", versions),
            ["industry"] = History("SaaS", "Retail", versions),
            ["numemployees"] = History("100-500", "1-5", versions),
            ["hs_analytics_first_touch_converting_campaign"] = History("2026-q4-webinar", "2025-q1-fair", versions),
            ["hs_analytics_source"] = History("ORGANIC_SEARCH", "OFFLINE", versions),
            ["viewed_pricing_page"] = History("true", "false", versions),
            ["downloaded_case_study"] = History("2026-10-30T14:00:00Z", "", versions),
            ["contacted_support"] = History("false", "true", versions),
        };
        for (var i = 0; i < others; i++)
        {
            properties["custom_property_" + i.ToString("D4", CultureInfo.InvariantCulture)] =
                History("value of a property nobody mapped, number " + i.ToString(CultureInfo.InvariantCulture), "an older value", versions);
        }

        var contact = new JsonObject
        {
            ["vid"] = 12345,
            ["canonical-vid"] = 12345,
            ["portal-id"] = 62515,
            ["is-contact"] = true,
            ["properties"] = properties,
            ["form-submissions"] = new JsonArray(),
            ["identity-profiles"] = new JsonArray(new JsonObject { ["vid"] = 12345, ["identities"] = new JsonArray() }),
        };
        return contact.ToJsonString();
    }

    // A contact padded with an unmapped property to exactly `bytes` bytes.
    private static string ContactOfSize(int bytes)
    {
        var empty = Payloads.HubSpotContact.Replace("\"firstname\": { \"value\": \"Test\" }", "\"notes\": { \"value\": \"\" }", StringComparison.Ordinal);
        var padding = bytes - Encoding.UTF8.GetByteCount(empty);
        Assert.True(padding > 0);
        return empty.Replace("\"notes\": { \"value\": \"\" }", "\"notes\": { \"value\": \"" + new string('n', padding) + "\" }", StringComparison.Ordinal);
    }

    private static async Task AssertNothingStoredAsync(TestApp app)
    {
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
    }

    [Fact]
    public async Task HubSpot_ContactOfSeveralHundredKBWithHistories_AcceptedAndScoredOnTheMappedValues()
    {
        await using var app = await TestApp.StartAsync(settings: HubSpotSettings);
        var body = LargeContact(others: 600, versions: 4);
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 400 * 1024, BodyLimits.HubSpotDefault);

        var response = await app.PostToSourceAsync("hubspot", body, "application/json", Signed(app, body));

        Assert.Equal(202, response.Status);
        Assert.Equal("hubspot-12345", response.Json.GetProperty("leadId").GetString());
        Assert.Equal(80, response.Json.GetProperty("score").GetInt32());
        Assert.Equal("MQL", response.Json.GetProperty("status").GetString());
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.LeadLedger), r => r.RowKey == "ledger");
        Assert.Equal("2026-q4-webinar", row.GetString("MqlCampaign"));
        Assert.Equal("ORGANIC_SEARCH", row.GetString("MqlSource"));
        Assert.Equal(300, row.GetInt32("CompanySize"));
        Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.RefusedDeliveries));
    }

    [Fact]
    public async Task HubSpot_BodyAtTheConfiguredLimit_AcceptedAndOneByteOver_413WithARefusalRowAndNothingElse()
    {
        const int limit = 100_000;
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>(HubSpotSettings) { ["Intake:HubSpot:MaxBodyBytes"] = "100000" });
        var over = ContactOfSize(limit + 1);

        var refused = await app.PostToSourceAsync("hubspot", over, "application/json", Signed(app, over));

        Assert.Equal(413, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType);
        await AssertNothingStoredAsync(app);
        var refusal = Assert.Single(await RefusedDeliveryStore.ReadAsync(app.Layout.RefusedDeliveries, "HubSpot", CancellationToken.None));
        Assert.Equal("hubspot", refusal.Source);
        Assert.Equal(413, refusal.Status);
        Assert.Equal(limit + 1, refusal.BodyBytes);
        Assert.Contains("100000", refusal.Reason, StringComparison.Ordinal);
        Assert.Equal(app.Time.GetUtcNow().Date, refusal.ReceivedAt.UtcDateTime.Date);

        var atLimit = ContactOfSize(limit);
        var accepted = await app.PostToSourceAsync("hubspot", atLimit, "application/json", Signed(app, atLimit));

        Assert.Equal(202, accepted.Status);
        Assert.Single(await TestApp.RowsAsync(app.Layout.RefusedDeliveries));
    }

    [Fact]
    public async Task HubSpot_InvalidEmail_400RecordedWithTheObjectIdAndFieldNameButNoContactData()
    {
        await using var app = await TestApp.StartAsync(settings: HubSpotSettings);
        var body = Payloads.HubSpotContact.Replace("test@example.com", "not-an-address", StringComparison.Ordinal);

        var response = await app.PostToSourceAsync("hubspot", body, "application/json", Signed(app, body));

        Assert.Equal(400, response.Status);
        await AssertNothingStoredAsync(app);
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.RefusedDeliveries));
        Assert.Equal(400, row.GetInt32("Status"));
        Assert.Equal("12345", row.GetString("ObjectId"));
        Assert.Contains("email", row.GetString("Reason"), StringComparison.Ordinal);
        var everything = string.Join("|", row.Select(p => p.Value));
        Assert.DoesNotContain("not-an-address", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("555-123-4567", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HubSpot_BadSignatureAndWrongContentType_401And415Recorded()
    {
        await using var app = await TestApp.StartAsync(settings: HubSpotSettings);
        var headers = Signed(app, Payloads.HubSpotContact);

        var unauthenticated = await app.PostToSourceAsync("hubspot", Payloads.HubSpotContact + " ", "application/json", headers);
        var unsupported = await app.PostToSourceAsync("hubspot", Payloads.HubSpotContact, "text/plain", headers);

        Assert.Equal(401, unauthenticated.Status);
        Assert.Equal(415, unsupported.Status);
        await AssertNothingStoredAsync(app);
        var refusals = await RefusedDeliveryStore.ReadAsync(app.Layout.RefusedDeliveries, "hubspot", CancellationToken.None);
        Assert.Equal([401, 415], refusals.Select(r => r.Status).Order());
        Assert.All(refusals, r => Assert.Null(r.ObjectId));
        Assert.DoesNotContain(refusals, r => r.Reason.Contains("test@example.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HubSpot_UnmappedPropertyNestedPastTheDepthLimit_400()
    {
        await using var app = await TestApp.StartAsync(settings: HubSpotSettings);
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20);
        var body = Payloads.HubSpotContact.Replace("{ \"value\": \"Test\" }", deep, StringComparison.Ordinal);

        var response = await app.PostToSourceAsync("hubspot", body, "application/json", Signed(app, body));

        Assert.Equal(400, response.Status);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task Generic_BodyOver64KiB_StillRefused413AndNotRecorded()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Intake:Generic:AllowUnsigned"] = "true", ["Intake:Generic:Secrets"] = "", ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" });
        var lead = Leads.Article();
        lead["notes"] = new string('n', BodyLimits.Default);

        var response = await app.PostToSourceAsync(null, lead.ToJsonString(), "application/json", new Dictionary<string, string>());

        Assert.Equal(413, response.Status);
        await AssertNothingStoredAsync(app);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.RefusedDeliveries));
    }

    [Theory]
    [InlineData("Intake:HubSpot:MaxBodyBytes", "0")]
    [InlineData("Intake:HubSpot:MaxBodyBytes", "1023")]
    [InlineData("Intake:HubSpot:MaxBodyBytes", "16777217")]
    [InlineData("Intake:Generic:MaxBodyBytes", "-1")]
    [InlineData("Intake:Marketo:MaxBodyBytes", "999999999")]
    public async Task Start_BodyLimitOutOfRange_FailsNamingTheSettingAndTheRange(string key, string value)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { [key] = value });
        });

        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
        Assert.Contains($"{BodyLimits.Min} to {BodyLimits.Max} bytes", failure.Message, StringComparison.Ordinal);
    }
}
