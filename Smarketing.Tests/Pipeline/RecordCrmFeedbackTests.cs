using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Pipeline;

/// <summary>The generic feedback body through the real function, on Azurite; one app for the class, one lead per test.</summary>
public sealed class RecordCrmFeedbackTests(FeedbackAppFixture fixture) : IClassFixture<FeedbackAppFixture>
{
    private readonly TestApp _app = fixture.App;

    [Fact]
    public async Task Disqualify_WithoutReasonCode_400NamingAllowedCodesAndNothingWritten()
    {
        await _app.HandOffAsync("lead-generic-noreason");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostFeedbackAsync("""{"leadId":"lead-generic-noreason","status":"DISQUALIFIED"}""");

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("reasonCode", out _));
        Assert.Contains("NOT_A_FIT", response.Json.GetProperty("allowedReasonCodes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(before, await _app.SnapshotAsync());
        Assert.Equal("SAL", (await _app.GetLeadAsync("lead-generic-noreason")).Status());
    }

    [Fact]
    public async Task Disqualify_UnknownReasonCode_400AndNothingWritten()
    {
        await _app.HandOffAsync("lead-generic-badreason");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostFeedbackAsync("""{"leadId":"lead-generic-badreason","status":"DISQUALIFIED","reasonCode":"DIDNT_LIKE_THEM"}""");

        Assert.Equal(400, response.Status);
        Assert.Contains("DIDNT_LIKE_THEM", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task Disqualify_Redelivered_OneRowOneTransition()
    {
        await _app.HandOffAsync("lead-generic-redo");
        const string body = """{"leadId":"lead-generic-redo","status":"DISQUALIFIED","reasonCode":"BAD_TIMING"}""";

        var first = await _app.PostFeedbackAsync(body);
        var second = await _app.PostFeedbackAsync(body);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.True(second.Json.GetProperty("duplicate").GetBoolean());
        Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-generic-redo"));
        Assert.Equal(3, (await _app.GetLeadAsync("lead-generic-redo")).HistoryLength());
    }

    [Fact]
    public async Task Feedback_SameEventIdAfterTheLeadMovedOn_DuplicateAndNothingWritten()
    {
        await _app.HandOffAsync("lead-generic-event");
        const string sql = """{"eventId":"evt-1","leadId":"lead-generic-event","status":"SQL","budgetConfirmed":true,"timelineConfirmed":true}""";
        Assert.Equal(200, (await _app.PostFeedbackAsync(sql)).Status);
        Assert.Equal(200, (await _app.PostFeedbackAsync("""{"eventId":"evt-2","leadId":"lead-generic-event","status":"CLOSED_WON"}""")).Status);
        var before = await _app.SnapshotAsync();

        var replayed = await _app.PostFeedbackAsync(sql);

        Assert.Equal(200, replayed.Status);
        Assert.True(replayed.Json.GetProperty("duplicate").GetBoolean());
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task Feedback_ForbiddenMove_409NamingFromAndToAndLedgerUnchanged()
    {
        await _app.HandOffAsync("lead-generic-forbidden");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostFeedbackAsync("""{"leadId":"lead-generic-forbidden","status":"CLOSED_WON"}""");

        Assert.Equal(409, response.Status);
        Assert.Equal("SAL", response.Json.GetProperty("from").GetString());
        Assert.Equal("CLOSED_WON", response.Json.GetProperty("to").GetString());
        Assert.Contains("SAL → CLOSED_WON is not a move of the lifecycle contract", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
        var lead = await _app.GetLeadAsync("lead-generic-forbidden");
        Assert.Equal("SAL", lead.Status());
        Assert.Equal(2, lead.HistoryLength());
    }

    [Fact]
    public async Task Feedback_SqlThenClosedWon_LedgerFollowsTheDeal()
    {
        await _app.HandOffAsync("lead-generic-won");

        var sql = await _app.PostFeedbackAsync("""{"leadId":"lead-generic-won","status":"SQL","budgetConfirmed":true,"timelineConfirmed":true,"rep":"rep-ada"}""");
        var won = await _app.PostFeedbackAsync("""{"leadId":"lead-generic-won","status":"CLOSED_WON","rep":"rep-ada"}""");

        Assert.Equal(200, sql.Status);
        Assert.Equal(200, won.Status);
        var history = (await _app.GetLeadAsync("lead-generic-won")).Json.GetProperty("history").EnumerateArray()
            .Select(e => e.GetProperty("to").GetString()).ToList();
        Assert.Equal(["MQL", "SAL", "SQL", "CLOSED_WON"], history);
        Assert.Empty(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-generic-won"));
    }

    [Fact]
    public async Task Feedback_SqlThenClosedLostWithoutReason_400ThenWithReason_Lost()
    {
        await _app.HandOffAsync("lead-generic-lost");
        Assert.Equal(200, (await _app.PostFeedbackAsync("""{"leadId":"lead-generic-lost","status":"SQL","budgetConfirmed":true,"timelineConfirmed":true}""")).Status);

        var withoutReason = await _app.PostFeedbackAsync("""{"leadId":"lead-generic-lost","status":"CLOSED_LOST"}""");
        var withReason = await _app.PostFeedbackAsync("""{"leadId":"lead-generic-lost","status":"CLOSED_LOST","reasonCode":"LOST_TO_COMPETITOR"}""");

        Assert.Equal(400, withoutReason.Status);
        Assert.Contains("LOST_TO_COMPETITOR", withoutReason.Json.GetProperty("allowedReasonCodes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(200, withReason.Status);
        Assert.Equal("CLOSED_LOST", (await _app.GetLeadAsync("lead-generic-lost")).Status());
    }

    [Fact]
    public async Task Feedback_SqlWithoutTimeline_409NamingTheMissingCriterion()
    {
        await _app.HandOffAsync("lead-generic-timeline");

        var response = await _app.PostFeedbackAsync("""{"leadId":"lead-generic-timeline","status":"SQL","budgetConfirmed":true}""");

        Assert.Equal(409, response.Status);
        Assert.Contains("timeline", response.Json.GetProperty("missingCriterion").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_UnknownLead_404AndNothingWritten()
    {
        var before = await _app.SnapshotAsync();

        var response = await _app.PostFeedbackAsync("""{"leadId":"nobody","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""");

        Assert.Equal(404, response.Status);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task Feedback_BadFields_400NamingEach()
    {
        var response = await _app.PostFeedbackAsync("""{"status":"disqualified","budgetConfirmed":"yes","eventId":7}""");

        Assert.Equal(400, response.Status);
        var fields = response.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["budgetConfirmed", "eventId", "leadId", "status"], fields);
    }

    [Fact]
    public async Task Feedback_LeadIdLongerThanAnyLead_400InsteadOfAStorageError()
    {
        var response = await _app.PostFeedbackAsync($$"""{"leadId":"{{new string('x', 201)}}","status":"SAL"}""");

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("leadId", out _));
    }

    [Fact]
    public async Task Disqualify_NewLeadWithoutCampaign_RowUnderTheUnknownCampaign()
    {
        var lead = Leads.ScoringExactly70("lead-nocampaign");
        lead.Remove("campaign");
        await _app.PostLeadAsync(lead.ToJsonString());

        var response = await _app.PostFeedbackAsync("""{"leadId":"lead-nocampaign","status":"DISQUALIFIED","reasonCode":"BAD_DATA"}""");

        Assert.Equal(200, response.Status);
        var row = Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-nocampaign"));
        Assert.Equal("(none)", row.GetString("Campaign"));
        Assert.Equal("(none)", row.PartitionKey);
        Assert.Equal("NEW", row.GetString("FromStatus"));
        Assert.Equal(70, row.GetInt32("Score"));
    }

    [Fact]
    public async Task Disqualify_RedeliveredAfterTheLeadCameBackFromAnotherCampaign_StillOneRowUnderTheFirstCampaign()
    {
        await using var app = await TestApp.StartAsync();
        var lead = Leads.ScoringExactly70("lead-two-campaigns");
        lead["campaign"] = "campaign-a";
        await app.PostLeadAsync(lead.ToJsonString());
        const string body = """{"leadId":"lead-two-campaigns","status":"DISQUALIFIED","reasonCode":"BAD_TIMING"}""";
        Assert.Equal(200, (await app.PostFeedbackAsync(body)).Status);

        // The lead comes back through another campaign (still not an MQL), then the CRM redelivers.
        lead["campaign"] = "campaign-b";
        lead["jobTitle"] = "Head of Ops";
        await app.PostLeadAsync(lead.ToJsonString());
        var redelivered = await app.PostFeedbackAsync(body);

        Assert.Equal(200, redelivered.Status);
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal("campaign-a", row.GetString("Campaign"));
    }
}
