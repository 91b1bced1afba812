using Microsoft.AspNetCore.Http;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>HubSpot workflow webhooks through the real function, on Azurite.</summary>
public sealed class HubSpotFeedbackTests(FeedbackAppFixture fixture) : IClassFixture<FeedbackAppFixture>
{
    private readonly TestApp _app = fixture.App;

    public static TheoryData<string, Action<HttpRequest>?, int, string> BadSignatures => new()
    {
        { "tampered body", r => r.Body = new MemoryStream("""{"smarketing_lead_id":"lead-hs-bad","hs_lead_status":"UNQUALIFIED","smarketing_disqualification_reason":"BAD_DATA"}"""u8.ToArray()), 0, "matches no secret" },
        { "wrong secret", null, 1, "matches no secret" },
        { "stale timestamp", null, -6, "more than 5 minutes from now" },
        { "future timestamp", null, 6, "more than 5 minutes from now" },
        { "missing timestamp", r => r.Headers.Remove("X-HubSpot-Request-Timestamp"), 0, "X-HubSpot-Request-Timestamp header is missing" },
        { "malformed timestamp", r => r.Headers["X-HubSpot-Request-Timestamp"] = "yesterday", 0, "not a time in milliseconds" },
        { "not base64", r => r.Headers["X-HubSpot-Signature-v3"] = "%%%not-base64%%%", 0, "matches no secret" },
        { "missing signature", r => r.Headers.Remove("X-HubSpot-Signature-v3"), 0, "no X-HubSpot-Signature-v3 header" },
        { "other host", r => r.Headers["X-HubSpot-Signature-v3"] = FeedbackTesting.SignV3(FeedbackTesting.HubSpotClientSecret, "POST", "https://elsewhere.example/api/crm/feedback/hubspot", HubSpotPayloads.LegacyContact("lead-hs-bad", "UNQUALIFIED", reason: "NOT_A_FIT"), r.Headers["X-HubSpot-Request-Timestamp"]!), 0, "matches no secret" },
    };

    [Fact]
    public async Task HubSpot_SignedContactPayload_DisqualifiesWithTheReasonAndNote()
    {
        await _app.HandOffAsync("lead-hs-signed");

        var response = await _app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-signed", "UNQUALIFIED", reason: "COMPETITOR", note: "Works at a rival"));

        Assert.Equal(200, response.Status);
        Assert.Equal("DISQUALIFIED", response.Json.GetProperty("status").GetString());
        Assert.True(response.Json.GetProperty("recorded").GetBoolean());
        var row = Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-hs-signed"));
        Assert.Equal("COMPETITOR", row.GetString("ReasonCode"));
        Assert.Equal("Works at a rival", row.GetString("Note"));
        Assert.Equal("81234567", row.GetString("Rep"));
    }

    [Fact]
    public async Task HubSpot_BadTimingLeadStatusWithoutReason_DisqualifiedForBadTimingByTheStatusMap()
    {
        await _app.HandOffAsync("lead-hs-timing");

        var response = await _app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-timing", "BAD_TIMING"));

        Assert.Equal(200, response.Status);
        var row = Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-hs-timing"));
        Assert.Equal("BAD_TIMING", row.GetString("ReasonCode"));
        Assert.Equal("timing", row.GetString("ReasonCategory"));
    }

    [Fact]
    public async Task HubSpot_CustomizedBodyWithApiKey_MovesTheLeadToSql()
    {
        await _app.HandOffAsync("lead-hs-apikey");

        var response = await _app.PostHubSpotWithApiKeyAsync(HubSpotPayloads.Customized("lead-hs-apikey", "SQL", budget: true, timeline: true));

        Assert.Equal(200, response.Status);
        Assert.Equal("SQL", (await _app.GetLeadAsync("lead-hs-apikey")).Status());
    }

    [Fact]
    public async Task HubSpot_SignedWithAQueryString_TheSignedUriIncludesItAsHubSpotSentIt()
    {
        await _app.HandOffAsync("lead-hs-query");

        var response = await _app.PostHubSpotSignedAsync(
            HubSpotPayloads.LegacyContact("lead-hs-query", "UNQUALIFIED", reason: "NOT_A_FIT"),
            query: "?code=abc123&portal=62515");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task HubSpot_RotatedClientSecret_BothSecretsAccepted()
    {
        await _app.HandOffAsync("lead-hs-rot-1", "lead-hs-rot-2");

        var withOld = await _app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-rot-1", "UNQUALIFIED", reason: "NOT_A_FIT"), clientSecret: FeedbackTesting.OldHubSpotClientSecret);
        var withNew = await _app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-rot-2", "UNQUALIFIED", reason: "NOT_A_FIT"));

        Assert.Equal(200, withOld.Status);
        Assert.Equal(200, withNew.Status);
    }

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task HubSpot_BadSignature_401AndNothingWritten(string scenario, Action<HttpRequest>? tamper, int variant, string expected)
    {
        await _app.HandOffAsync("lead-hs-bad");
        var before = await _app.SnapshotAsync();
        var body = HubSpotPayloads.LegacyContact("lead-hs-bad", "UNQUALIFIED", reason: "NOT_A_FIT");

        var response = variant switch
        {
            1 => await _app.PostHubSpotSignedAsync(body, clientSecret: "not-the-client-secret-000000"),
            -6 or 6 => await _app.PostHubSpotSignedAsync(body, timestamp: _app.Time.GetUtcNow().AddMinutes(variant)),
            _ => await _app.PostHubSpotSignedAsync(body, tamper: tamper),
        };

        Assert.True(response.Status == 401, $"{scenario}: {response.Status} {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(expected, response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
        Assert.Equal("SAL", (await _app.GetLeadAsync("lead-hs-bad")).Status());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("hubspot-key-wrong-000000000")]
    public async Task HubSpot_MissingOrWrongApiKey_401AndNothingWritten(string? apiKey)
    {
        await _app.HandOffAsync("lead-hs-badkey");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostHubSpotWithApiKeyAsync(HubSpotPayloads.Customized("lead-hs-badkey", "UNQUALIFIED", reason: "NOT_A_FIT"), apiKey);

        Assert.Equal(401, response.Status);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_UnmappedLeadStatus_400NamingTheValuesItMayBe_NothingWritten()
    {
        await _app.HandOffAsync("lead-hs-unmapped");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-unmapped", "ATTEMPTED_TO_CONTACT"));

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").GetProperty("hs_lead_status").EnumerateArray()).GetString();
        Assert.Contains("'ATTEMPTED_TO_CONTACT' is not a lifecycle status", error, StringComparison.Ordinal);
        Assert.Contains("'UNQUALIFIED'", error, StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_UnqualifiedWithoutReason_400ListingAllowedCodes_NothingWritten()
    {
        await _app.HandOffAsync("lead-hs-noreason");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-noreason", "UNQUALIFIED"));

        Assert.Equal(400, response.Status);
        Assert.Contains("NOT_A_FIT", response.Json.GetProperty("allowedReasonCodes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_PayloadWithoutTheLeadIdProperty_400NamingTheProperty()
    {
        var before = await _app.SnapshotAsync();

        var response = await _app.PostHubSpotSignedAsync("""{"vid":3234574,"properties":{"hs_lead_status":{"value":"UNQUALIFIED"}}}""");

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("smarketing_lead_id", out _));
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_UnknownContact_404AndNothingWritten()
    {
        var before = await _app.SnapshotAsync();

        var response = await _app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-not-ours", "UNQUALIFIED", reason: "NOT_A_FIT"));

        Assert.Equal(404, response.Status);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_ForbiddenMove_409NamingFromAndTo_NothingWritten()
    {
        await _app.HandOffAsync("lead-hs-forbidden");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostHubSpotWithApiKeyAsync(HubSpotPayloads.Customized("lead-hs-forbidden", "CLOSED_WON"));

        Assert.Equal(409, response.Status);
        Assert.Equal("SAL", response.Json.GetProperty("from").GetString());
        Assert.Equal("CLOSED_WON", response.Json.GetProperty("to").GetString());
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_RetriedWebhook_OneTransitionOneRow()
    {
        await _app.HandOffAsync("lead-hs-retry");
        var body = HubSpotPayloads.LegacyContact("lead-hs-retry", "UNQUALIFIED", reason: "NOT_A_FIT");

        var first = await _app.PostHubSpotSignedAsync(body);
        var retried = await _app.PostHubSpotSignedAsync(body);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, retried.Status);
        Assert.True(retried.Json.GetProperty("duplicate").GetBoolean());
        Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-hs-retry"));
        Assert.Equal(3, (await _app.GetLeadAsync("lead-hs-retry")).HistoryLength());
    }
}
