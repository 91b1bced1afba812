using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>HubSpot workflow webhooks through the real function, on Azurite.</summary>
public sealed class HubSpotFeedbackTests
{
    [Fact]
    public async Task HubSpot_SignedContactPayload_DisqualifiesWithTheReasonAndNote()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");

        var response = await app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-1", "UNQUALIFIED", reason: "COMPETITOR", note: "Works at a rival"));

        Assert.Equal(200, response.Status);
        Assert.Equal("DISQUALIFIED", response.Json.GetProperty("status").GetString());
        Assert.True(response.Json.GetProperty("recorded").GetBoolean());
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal("COMPETITOR", row.GetString("ReasonCode"));
        Assert.Equal("Works at a rival", row.GetString("Note"));
        Assert.Equal("81234567", row.GetString("Rep"));
    }

    [Fact]
    public async Task HubSpot_BadTimingLeadStatusWithoutReason_DisqualifiedForBadTimingByTheStatusMap()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");

        var response = await app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-1", "BAD_TIMING"));

        Assert.Equal(200, response.Status);
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal("BAD_TIMING", row.GetString("ReasonCode"));
        Assert.Equal("timing", row.GetString("ReasonCategory"));
    }

    [Fact]
    public async Task HubSpot_CustomizedBodyWithApiKey_MovesTheLeadToSql()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");

        var response = await app.PostHubSpotWithApiKeyAsync(HubSpotPayloads.Customized("lead-hs-1", "SQL", budget: true, timeline: true));

        Assert.Equal(200, response.Status);
        Assert.Equal("SQL", (await app.GetLeadAsync("lead-hs-1")).Status());
    }

    [Fact]
    public async Task HubSpot_SignedWithAQueryString_TheSignedUriIncludesItAsHubSpotSentIt()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");

        var response = await app.PostHubSpotSignedAsync(
            HubSpotPayloads.LegacyContact("lead-hs-1", "UNQUALIFIED", reason: "NOT_A_FIT"),
            query: "?code=abc123&portal=62515");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task HubSpot_RotatedClientSecret_BothSecretsAccepted()
    {
        await using var app = await FeedbackTesting.StartAsync(new Dictionary<string, string?>
        {
            ["Feedback:HubSpot:ClientSecrets"] = "old-client-secret-0000000001," + FeedbackTesting.HubSpotClientSecret,
        });
        foreach (var id in new[] { "lead-hs-1", "lead-hs-2" })
        {
            await app.PostLeadAsync(Pipeline.Leads.Article(id).ToJsonString());
        }

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        var withOld = await app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-1", "UNQUALIFIED", reason: "NOT_A_FIT"), clientSecret: "old-client-secret-0000000001");
        var withNew = await app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-2", "UNQUALIFIED", reason: "NOT_A_FIT"));

        Assert.Equal(200, withOld.Status);
        Assert.Equal(200, withNew.Status);
    }

    public static TheoryData<string, Action<Microsoft.AspNetCore.Http.HttpRequest>?, int, string> BadSignatures => new()
    {
        { "tampered body", r => r.Body = new MemoryStream("""{"smarketing_lead_id":"lead-hs-1","hs_lead_status":"UNQUALIFIED","smarketing_disqualification_reason":"BAD_DATA"}"""u8.ToArray()), 0, "matches no secret" },
        { "wrong secret", null, 1, "matches no secret" },
        { "stale timestamp", null, -6, "more than 5 minutes from now" },
        { "future timestamp", null, 6, "more than 5 minutes from now" },
        { "missing timestamp", r => r.Headers.Remove("X-HubSpot-Request-Timestamp"), 0, "X-HubSpot-Request-Timestamp header is missing" },
        { "malformed timestamp", r => r.Headers["X-HubSpot-Request-Timestamp"] = "yesterday", 0, "not a time in milliseconds" },
        { "not base64", r => r.Headers["X-HubSpot-Signature-v3"] = "%%%not-base64%%%", 0, "matches no secret" },
        { "missing signature", r => r.Headers.Remove("X-HubSpot-Signature-v3"), 0, "no X-HubSpot-Signature-v3 header" },
        { "other host", r => r.Headers["X-HubSpot-Signature-v3"] = FeedbackTesting.SignV3(FeedbackTesting.HubSpotClientSecret, "POST", "https://elsewhere.example/api/crm/feedback/hubspot", HubSpotPayloads.LegacyContact("lead-hs-1", "UNQUALIFIED", reason: "NOT_A_FIT"), r.Headers["X-HubSpot-Request-Timestamp"]!), 0, "matches no secret" },
    };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task HubSpot_BadSignature_401AndNothingWritten(string scenario, Action<Microsoft.AspNetCore.Http.HttpRequest>? tamper, int variant, string expected)
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");
        var before = await app.SnapshotAsync();
        var body = HubSpotPayloads.LegacyContact("lead-hs-1", "UNQUALIFIED", reason: "NOT_A_FIT");

        var response = variant switch
        {
            1 => await app.PostHubSpotSignedAsync(body, clientSecret: "not-the-client-secret-000000"),
            -6 or 6 => await app.PostHubSpotSignedAsync(body, timestamp: app.Time.GetUtcNow().AddMinutes(variant)),
            _ => await app.PostHubSpotSignedAsync(body, tamper: tamper),
        };

        Assert.True(response.Status == 401, $"{scenario}: {response.Status} {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(expected, response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("hubspot-key-wrong-000000000")]
    public async Task HubSpot_MissingOrWrongApiKey_401AndNothingWritten(string? apiKey)
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");
        var before = await app.SnapshotAsync();

        var response = await app.PostHubSpotWithApiKeyAsync(HubSpotPayloads.Customized("lead-hs-1", "UNQUALIFIED", reason: "NOT_A_FIT"), apiKey);

        Assert.Equal(401, response.Status);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_UnmappedLeadStatus_400NamingTheValuesItMayBe_NothingWritten()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");
        var before = await app.SnapshotAsync();

        var response = await app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-1", "ATTEMPTED_TO_CONTACT"));

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").GetProperty("hs_lead_status").EnumerateArray()).GetString();
        Assert.Contains("'ATTEMPTED_TO_CONTACT' is not a lifecycle status", error, StringComparison.Ordinal);
        Assert.Contains("'UNQUALIFIED'", error, StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_UnqualifiedWithoutReason_400ListingAllowedCodes_NothingWritten()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");
        var before = await app.SnapshotAsync();

        var response = await app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-hs-1", "UNQUALIFIED"));

        Assert.Equal(400, response.Status);
        Assert.Contains("NOT_A_FIT", response.Json.GetProperty("allowedReasonCodes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_PayloadWithoutTheLeadIdProperty_400NamingTheProperty()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");

        var response = await app.PostHubSpotSignedAsync("""{"vid":3234574,"properties":{"hs_lead_status":{"value":"UNQUALIFIED"}}}""");

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("smarketing_lead_id", out _));
    }

    [Fact]
    public async Task HubSpot_UnknownContact_404AndNothingWritten()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");
        var before = await app.SnapshotAsync();

        var response = await app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-not-ours", "UNQUALIFIED", reason: "NOT_A_FIT"));

        Assert.Equal(404, response.Status);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task HubSpot_RetriedWebhook_OneTransitionOneRow()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-hs-1");
        var body = HubSpotPayloads.LegacyContact("lead-hs-1", "UNQUALIFIED", reason: "NOT_A_FIT");

        var first = await app.PostHubSpotSignedAsync(body);
        var retried = await app.PostHubSpotSignedAsync(body);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, retried.Status);
        Assert.True(retried.Json.GetProperty("duplicate").GetBoolean());
        Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal(3, (await app.GetLeadAsync("lead-hs-1")).HistoryLength());
    }

    [Fact]
    public async Task HubSpot_NotConfigured_401NamingTheSettings()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostHubSpotWithApiKeyAsync(HubSpotPayloads.Customized("lead-hs-1", "UNQUALIFIED", reason: "NOT_A_FIT"));

        Assert.Equal(401, response.Status);
        Assert.Contains("Feedback:HubSpot:ClientSecrets", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
