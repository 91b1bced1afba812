using System.Text.Json.Nodes;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>
/// Three campaigns through the real pipeline (ScoreLead → queue → HandOffMql → sandbox CRM → feedback in every format),
/// then the summary and the CSV export read back exactly. The scenario is played once; the tests only read.
/// </summary>
public sealed class FeedbackSummaryTests(ThreeCampaigns scenario) : IClassFixture<ThreeCampaigns>
{
    private const string Webinar = ThreeCampaigns.Webinar;
    private const string Ebook = ThreeCampaigns.Ebook;
    private const string PaidSocial = ThreeCampaigns.PaidSocial;

    private readonly TestApp _app = scenario.App;
    private readonly string _modelVersion = scenario.ModelVersion;

    [Fact]
    public async Task Summary_November_CountsRatesAndTopReasonsPerCampaignExactly()
    {
        var response = await _app.GetSummaryAsync("?from=2026-11-01&to=2026-12-01");

        Assert.Equal(200, response.Status);
        var expected = new JsonObject
        {
            ["from"] = "2026-11-01T00:00:00+00:00",
            ["to"] = "2026-12-01T00:00:00+00:00",
            ["campaign"] = null,
            ["campaigns"] = new JsonArray(
                Funnel(Ebook, mqls: 3, sals: 3, sqls: 0, wins: 0, losses: 0, disqualifications: 3, rate: 1.0,
                    [Reason("BAD_TIMING", "Not buying in the next 12 months", "timing", 2), Reason("BAD_DATA", "Contact data wrong or fake", "data-quality", 1)],
                    new JsonObject { ["data-quality"] = 1, ["timing"] = 2 },
                    []),
                Funnel(Webinar, mqls: 4, sals: 4, sqls: 1, wins: 1, losses: 0, disqualifications: 2, rate: 0.5,
                    [Reason("NOT_A_FIT", "Not a fit for our product", "fit", 2)],
                    new JsonObject { ["fit"] = 2 },
                    []),
                Funnel(PaidSocial, mqls: 2, sals: 2, sqls: 2, wins: 0, losses: 1, disqualifications: 1, rate: 0.5,
                    [Reason("TOO_SMALL", "Company too small", "fit", 1)],
                    new JsonObject { ["fit"] = 1 },
                    [Reason("PRICE", "Price", "fit", 1)])),
            ["totals"] = Funnel(null, mqls: 9, sals: 9, sqls: 3, wins: 1, losses: 1, disqualifications: 6, rate: 0.6667,
                [
                    Reason("BAD_TIMING", "Not buying in the next 12 months", "timing", 2),
                    Reason("NOT_A_FIT", "Not a fit for our product", "fit", 2),
                    Reason("BAD_DATA", "Contact data wrong or fake", "data-quality", 1),
                    Reason("TOO_SMALL", "Company too small", "fit", 1),
                ],
                new JsonObject { ["data-quality"] = 1, ["fit"] = 3, ["timing"] = 2 },
                [Reason("PRICE", "Price", "fit", 1)]),
        };
        // The handoffs' speed-to-lead depends on how often the clock was read; SpeedToLeadTests pins its figures.
        var actual = JsonNode.Parse(response.Body)!.AsObject();
        Assert.Equal(9, actual["totals"]!["speedToLead"]!["count"]!.GetValue<int>());
        Assert.Equal(3, actual["speedToLeadByRep"]!.AsArray().Count);
        actual.Remove("speedToLeadByRep");
        actual["totals"]!.AsObject().Remove("speedToLead");
        foreach (var campaign in actual["campaigns"]!.AsArray())
        {
            campaign!.AsObject().Remove("speedToLead");
        }

        AssertJson(expected, actual.ToJsonString());
    }

    [Fact]
    public async Task Summary_OnlyTheFeedbackDay_CountsItsMovesAndHasNoRateWithoutMqls()
    {
        var response = await _app.GetSummaryAsync("?from=2026-11-05&to=2026-11-06&top=1");

        Assert.Equal(200, response.Status);
        var campaigns = response.Json.GetProperty("campaigns").EnumerateArray().ToDictionary(c => c.GetProperty("campaign").GetString()!);
        Assert.Equal([Ebook, PaidSocial, Webinar], campaigns.Keys.Order(StringComparer.Ordinal));
        var webinar = campaigns[Webinar];
        Assert.Equal(0, webinar.GetProperty("mqls").GetInt32());
        Assert.Equal(0, webinar.GetProperty("sals").GetInt32());
        Assert.Equal(1, webinar.GetProperty("sqls").GetInt32());
        Assert.Equal(1, webinar.GetProperty("wins").GetInt32());
        Assert.Equal(2, webinar.GetProperty("disqualifications").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, webinar.GetProperty("disqualificationRate").ValueKind);
        var top = Assert.Single(response.Json.GetProperty("totals").GetProperty("topReasons").EnumerateArray());
        Assert.Equal("BAD_TIMING", top.GetProperty("code").GetString());
        Assert.Equal(6, response.Json.GetProperty("totals").GetProperty("disqualifications").GetInt32());
    }

    [Fact]
    public async Task Summary_BeforeTheFeedback_MqlsAndSalsOnlyAndAZeroRate()
    {
        var response = await _app.GetSummaryAsync("?from=2026-11-01T00:00:00Z&to=2026-11-05T10:00:00Z");

        var totals = response.Json.GetProperty("totals");
        Assert.Equal(9, totals.GetProperty("mqls").GetInt32());
        Assert.Equal(9, totals.GetProperty("sals").GetInt32());
        Assert.Equal(0, totals.GetProperty("sqls").GetInt32());
        Assert.Equal(0, totals.GetProperty("disqualifications").GetInt32());
        Assert.Equal(0.0, totals.GetProperty("disqualificationRate").GetDouble());
        Assert.Empty(totals.GetProperty("topReasons").EnumerateArray());
    }

    [Fact]
    public async Task Summary_OneCampaign_OnlyThatCampaign()
    {
        var response = await _app.GetSummaryAsync("?from=2026-11-01&to=2026-12-01&campaign=" + Ebook);

        var campaign = Assert.Single(response.Json.GetProperty("campaigns").EnumerateArray());
        Assert.Equal(Ebook, campaign.GetProperty("campaign").GetString());
        Assert.Equal(Ebook, response.Json.GetProperty("campaign").GetString());
        var totals = response.Json.GetProperty("totals");
        Assert.Equal(3, totals.GetProperty("mqls").GetInt32());
        Assert.Equal(3, totals.GetProperty("disqualifications").GetInt32());
        Assert.Equal(1.0, totals.GetProperty("disqualificationRate").GetDouble());
    }

    [Fact]
    public async Task Summary_DefaultWindow_TheLast30DaysUpToNow()
    {
        var response = await _app.GetSummaryAsync(string.Empty);

        Assert.Equal("2026-10-06T10:09:00+00:00", response.Json.GetProperty("from").GetString());
        Assert.Equal("2026-11-05T10:09:00+00:00", response.Json.GetProperty("to").GetString());

        // "to" is exclusive: the last disqualification happened at exactly now.
        Assert.Equal(5, response.Json.GetProperty("totals").GetProperty("disqualifications").GetInt32());
    }

    [Theory]
    [InlineData("?from=last-week", "from")]
    [InlineData("?from=2026-12-01&to=2026-11-01", "from")]
    [InlineData("?to=2026-13-01", "to")]
    [InlineData("?top=0", "top")]
    [InlineData("?top=many", "top")]
    [InlineData("?to=0001-01-02", "to")]
    [InlineData("?from=9999-12-31", "from")]
    public async Task Summary_BadParameters_400NamingEach(string query, string field)
    {
        var response = await _app.GetSummaryAsync(query);

        Assert.Equal(400, response.Status);
        Assert.Equal([field], response.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Export_November_OneCsvLinePerDisqualificationByCampaignThenTime()
    {
        var response = await _app.GetExportAsync("?from=2026-11-01&to=2026-12-01");

        Assert.Equal(200, response.Status);
        Assert.Equal("text/csv; charset=utf-8", response.ContentType);
        Assert.Equal("attachment; filename=\"disqualification-feedback_20261101T000000Z_20261201T000000Z.csv\"", response.Headers.ContentDisposition.ToString());
        string[] expected =
        [
            "disqualified_at,campaign,lead_id,cycle,from_status,reason_code,reason_category,reason_label,score,model_version,source,rep,note",
            $"2026-11-05T10:04:00.0000000Z,2026-q4-ebook,lead-b1,0,SAL,BAD_TIMING,timing,Not buying in the next 12 months,80,{_modelVersion},ebook,005o0000002GraceAA,",
            $"2026-11-05T10:04:00.0000000Z,2026-q4-ebook,lead-b2,0,SAL,BAD_DATA,data-quality,Contact data wrong or fake,80,{_modelVersion},ebook,005o0000002GraceAA,\"Phone \"\"disconnected\"\", e-mail bounces\"",
            $"2026-11-05T10:05:00.0000000Z,2026-q4-ebook,lead-b3,0,SAL,BAD_TIMING,timing,Not buying in the next 12 months,80,{_modelVersion},ebook,81234567,",
            $"2026-11-05T10:09:00.0000000Z,2026-q4-paid-social,lead-c3,0,NEW,TOO_SMALL,fit,Company too small,70,{_modelVersion},paid-social,,'=12 employees",
            $"2026-11-05T10:00:00.0000000Z,2026-q4-webinar,lead-a1,0,SAL,NOT_A_FIT,fit,Not a fit for our product,80,{_modelVersion},webinar,005o0000002AdaAAA,\"Agency, resells\"",
            $"2026-11-05T10:01:00.0000000Z,2026-q4-webinar,lead-a2,0,SAL,NOT_A_FIT,fit,Not a fit for our product,80,{_modelVersion},webinar,81234567,",
            string.Empty,
        ];
        Assert.Equal(expected, response.Body.Split("\r\n"));
    }

    [Fact]
    public async Task Export_OneCampaignAndWindow_OnlyItsRows()
    {
        var response = await _app.GetExportAsync($"?from=2026-11-05T10:01:00Z&to=2026-11-05T10:05:00Z&campaign={Webinar}");

        var lines = response.Body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("2026-11-05T10:01:00.0000000Z,2026-q4-webinar,lead-a2,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_EmptyWindow_HeaderOnly()
    {
        var response = await _app.GetExportAsync("?from=2026-10-01&to=2026-11-01");

        Assert.Equal(200, response.Status);
        Assert.Equal(
            "disqualified_at,campaign,lead_id,cycle,from_status,reason_code,reason_category,reason_label,score,model_version,source,rep,note\r\n",
            response.Body);
    }

    private static JsonObject Funnel(
        string? campaign, int mqls, int sals, int sqls, int wins, int losses, int disqualifications, double rate,
        JsonObject[] topReasons, JsonObject byCategory, JsonObject[] topLossReasons) => new()
        {
            ["campaign"] = campaign,
            ["mqls"] = mqls,
            ["sals"] = sals,
            ["sqls"] = sqls,
            ["wins"] = wins,
            ["losses"] = losses,
            ["disqualifications"] = disqualifications,
            ["disqualificationRate"] = rate,
            ["topReasons"] = new JsonArray(topReasons),
            ["byCategory"] = byCategory,
            ["topLossReasons"] = new JsonArray(topLossReasons),
        };

    private static JsonObject Reason(string code, string label, string category, int count) => new()
    {
        ["code"] = code,
        ["label"] = label,
        ["category"] = category,
        ["count"] = count,
    };

    private static void AssertJson(JsonNode expected, string actual)
    {
        var parsed = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(expected, parsed), $"expected\n{expected.ToJsonString()}\nactual\n{parsed?.ToJsonString()}");
    }
}

/// <summary>The scenario: nine MQLs and one NEW lead in three campaigns on November 2, sales feedback on November 5.</summary>
public sealed class ThreeCampaigns : IAsyncLifetime
{
    public const string Webinar = "2026-q4-webinar";
    public const string Ebook = "2026-q4-ebook";
    public const string PaidSocial = "2026-q4-paid-social";
    private static readonly DateTimeOffset FeedbackDay = new(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);

    public TestApp App { get; private set; } = null!;

    public string ModelVersion { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await FeedbackTesting.StartAsync();

        // November 2: marketing produces nine MQLs in three campaigns, and one lead that scores 70 and stays NEW.
        foreach (var (id, campaign, source) in new[]
                 {
                     ("lead-a1", Webinar, "webinar"), ("lead-a2", Webinar, "webinar"), ("lead-a3", Webinar, "webinar"), ("lead-a4", Webinar, "webinar"),
                     ("lead-b1", Ebook, "ebook"), ("lead-b2", Ebook, "ebook"), ("lead-b3", Ebook, "ebook"),
                     ("lead-c1", PaidSocial, "paid-social"), ("lead-c2", PaidSocial, "paid-social"),
                 })
        {
            var lead = Leads.Article(id);
            lead["campaign"] = campaign;
            lead["source"] = source;
            var posted = await App.PostLeadAsync(lead.ToJsonString());
            Assert.Equal("MQL", posted.Json.GetProperty("status").GetString());
            ModelVersion = posted.Json.GetProperty("modelVersion").GetString()!;
        }

        var seventy = Leads.ScoringExactly70("lead-c3");
        seventy["campaign"] = PaidSocial;
        seventy["source"] = "paid-social";
        Assert.Equal("NEW", (await App.PostLeadAsync(seventy.ToJsonString())).Json.GetProperty("status").GetString());

        var listener = App.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, listener.Failures);

        // November 5: sales answers from the CRM, one minute apart, through every feedback format.
        App.Time.AutoAdvanceAmount = TimeSpan.Zero;
        await At(0, () => App.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification("04lo000000A1xxxQAP", "lead-a1", "DISQUALIFIED", Reason: "NOT_A_FIT", Note: "Agency, resells", OwnerId: "005o0000002AdaAAA"))));
        await At(1, () => App.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-a2", "UNQUALIFIED", reason: "NOT_A_FIT", ownerId: "81234567")));
        await At(2, () => App.PostFlowAsync("""{"eventId":"0Fo-a3-sql","leadId":"lead-a3","status":"SQL","budgetConfirmed":true,"timelineConfirmed":true,"rep":"005o0000002AdaAAA"}"""));
        await At(3, () => App.PostFeedbackAsync("""{"leadId":"lead-a3","status":"CLOSED_WON","rep":"005o0000002AdaAAA"}"""));
        await At(4, () => App.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification("04lo000000B1xxxQAP", "lead-b1", "DISQUALIFIED", Reason: "BAD_TIMING", OwnerId: "005o0000002GraceAA"),
            new LeadNotification("04lo000000B2xxxQAP", "lead-b2", "DISQUALIFIED", Reason: "BAD_DATA", Note: "Phone \"disconnected\", e-mail bounces", OwnerId: "005o0000002GraceAA"))));
        await At(5, () => App.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact("lead-b3", "BAD_TIMING", ownerId: "81234567")));
        await At(6, () => App.PostHubSpotWithApiKeyAsync(HubSpotPayloads.Customized("lead-c1", "SQL", budget: true, timeline: true)));
        await At(7, () => App.PostFeedbackAsync("""{"leadId":"lead-c1","status":"CLOSED_LOST","reasonCode":"PRICE","rep":"005o0000002LinusAA"}"""));
        await At(8, () => App.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification("04lo000000C2xxxQAP", "lead-c2", "SQL", BudgetConfirmed: true, TimelineConfirmed: true))));
        await At(9, () => App.PostFeedbackAsync("""{"leadId":"lead-c3","status":"DISQUALIFIED","reasonCode":"TOO_SMALL","note":"=12 employees"}"""));
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    private async Task At(int minute, Func<Task<HttpResult>> send)
    {
        App.Time.SetUtcNow(FeedbackDay.AddMinutes(minute));
        var response = await send();
        Assert.True(response.Status == 200, $"feedback at minute {minute}: {response.Status} {response.Body}");
    }
}
