using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Pipeline;

public sealed class RecordCrmFeedbackTests
{
    private static async Task<TestApp> WithHandedOffLeadAsync(string id = "lead-article-1")
    {
        var app = await TestApp.StartAsync();
        await app.PostLeadAsync(Leads.Article(id).ToJsonString());
        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        return app;
    }

    [Fact]
    public async Task Disqualify_WithoutReasonCode_400NamingAllowedCodesAndNothingWritten()
    {
        await using var app = await WithHandedOffLeadAsync();

        var response = await app.PostFeedbackAsync("""{"leadId":"lead-article-1","status":"DISQUALIFIED"}""");

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("reasonCode", out _));
        Assert.Contains("NOT_A_FIT", response.Json.GetProperty("allowedReasonCodes").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal("SAL", (await app.GetLeadAsync("lead-article-1")).Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Disqualify_UnknownReasonCode_400AndNothingWritten()
    {
        await using var app = await WithHandedOffLeadAsync();

        var response = await app.PostFeedbackAsync("""{"leadId":"lead-article-1","status":"DISQUALIFIED","reasonCode":"DIDNT_LIKE_THEM"}""");

        Assert.Equal(400, response.Status);
        Assert.Contains("DIDNT_LIKE_THEM", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
    }

    [Fact]
    public async Task Disqualify_Redelivered_OneRowOneTransition()
    {
        await using var app = await WithHandedOffLeadAsync();
        const string body = """{"leadId":"lead-article-1","status":"DISQUALIFIED","reasonCode":"BAD_TIMING"}""";

        var first = await app.PostFeedbackAsync(body);
        var second = await app.PostFeedbackAsync(body);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.True(second.Json.GetProperty("duplicate").GetBoolean());
        Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal(3, (await app.GetLeadAsync("lead-article-1")).Json.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task Feedback_ForbiddenMove_409NamingFromAndToAndLedgerUnchanged()
    {
        await using var app = await WithHandedOffLeadAsync();

        var response = await app.PostFeedbackAsync("""{"leadId":"lead-article-1","status":"CLOSED_WON"}""");

        Assert.Equal(409, response.Status);
        Assert.Equal("SAL", response.Json.GetProperty("from").GetString());
        Assert.Equal("CLOSED_WON", response.Json.GetProperty("to").GetString());
        var lead = (await app.GetLeadAsync("lead-article-1")).Json;
        Assert.Equal("SAL", lead.GetProperty("status").GetString());
        Assert.Equal(2, lead.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task Feedback_SqlThenClosedWon_LedgerFollowsTheDeal()
    {
        await using var app = await WithHandedOffLeadAsync();

        var sql = await app.PostFeedbackAsync("""{"leadId":"lead-article-1","status":"SQL","budgetConfirmed":true,"timelineConfirmed":true,"rep":"rep-ada"}""");
        var won = await app.PostFeedbackAsync("""{"leadId":"lead-article-1","status":"CLOSED_WON","rep":"rep-ada"}""");

        Assert.Equal(200, sql.Status);
        Assert.Equal(200, won.Status);
        var history = (await app.GetLeadAsync("lead-article-1")).Json.GetProperty("history").EnumerateArray()
            .Select(e => e.GetProperty("to").GetString()).ToList();
        Assert.Equal(["MQL", "SAL", "SQL", "CLOSED_WON"], history);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
    }

    [Fact]
    public async Task Feedback_SqlWithoutTimeline_409NamingTheMissingCriterion()
    {
        await using var app = await WithHandedOffLeadAsync();

        var response = await app.PostFeedbackAsync("""{"leadId":"lead-article-1","status":"SQL","budgetConfirmed":true}""");

        Assert.Equal(409, response.Status);
        Assert.Contains("timeline", response.Json.GetProperty("missingCriterion").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_UnknownLead_404AndNothingWritten()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostFeedbackAsync("""{"leadId":"nobody","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""");

        Assert.Equal(404, response.Status);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }

    [Fact]
    public async Task Feedback_BadFields_400NamingEach()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostFeedbackAsync("""{"status":"disqualified","budgetConfirmed":"yes"}""");

        Assert.Equal(400, response.Status);
        var fields = response.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["budgetConfirmed", "leadId", "status"], fields);
    }

    [Fact]
    public async Task Disqualify_NewLeadWithoutCampaign_RowUnderTheUnknownCampaign()
    {
        await using var app = await TestApp.StartAsync();
        var lead = Leads.ScoringExactly70("lead-nocampaign");
        lead.Remove("campaign");
        await app.PostLeadAsync(lead.ToJsonString());

        var response = await app.PostFeedbackAsync("""{"leadId":"lead-nocampaign","status":"DISQUALIFIED","reasonCode":"BAD_DATA"}""");

        Assert.Equal(200, response.Status);
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal("(none)", row.GetString("Campaign"));
        Assert.Equal("NEW", row.GetString("FromStatus"));
        Assert.Equal(70, row.GetInt32("Score"));
    }
}
