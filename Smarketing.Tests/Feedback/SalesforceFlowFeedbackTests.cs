using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>Salesforce Flow HTTP callouts through the real function, on Azurite.</summary>
public sealed class SalesforceFlowFeedbackTests(FeedbackAppFixture fixture) : IClassFixture<FeedbackAppFixture>
{
    private readonly TestApp _app = fixture.App;

    [Fact]
    public async Task Flow_DisqualificationWithInterviewId_Recorded()
    {
        await _app.HandOffAsync("lead-flow-dq");

        var response = await _app.PostFlowAsync("""
            {"eventId":"0Fo5e000000XyZ1CAK-1","leadId":"lead-flow-dq","status":"DISQUALIFIED","reasonCode":"DUPLICATE","note":"Same person as lead-flow-0","rep":"005o0000002GraceAA"}
            """);

        Assert.Equal(200, response.Status);
        Assert.Equal("DISQUALIFIED", response.Json.GetProperty("status").GetString());
        Assert.Equal("0Fo5e000000XyZ1CAK-1", response.Json.GetProperty("deliveryId").GetString());
        var row = Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-flow-dq"));
        Assert.Equal("data-quality", row.GetString("ReasonCategory"));
        Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Deliveries(), "lead-flow-dq"));
    }

    [Fact]
    public async Task Flow_RetriedCalloutAfterTheDealMovedOn_AnsweredAsDuplicateNotRefused()
    {
        await _app.HandOffAsync("lead-flow-retry");
        const string sql = """{"eventId":"0Fo5e000000XyZ1CAK-2","leadId":"lead-flow-retry","status":"SQL","budgetConfirmed":true,"timelineConfirmed":true}""";
        Assert.Equal(200, (await _app.PostFlowAsync(sql)).Status);
        Assert.Equal(200, (await _app.PostFlowAsync("""{"eventId":"0Fo5e000000XyZ1CAK-3","leadId":"lead-flow-retry","status":"CLOSED_LOST","reasonCode":"PRICE"}""")).Status);
        var before = await _app.SnapshotAsync();

        var retried = await _app.PostFlowAsync(sql);

        Assert.Equal(200, retried.Status);
        Assert.True(retried.Json.GetProperty("duplicate").GetBoolean());
        Assert.Equal("SQL", retried.Json.GetProperty("status").GetString());
        Assert.Equal(before, await _app.SnapshotAsync());
        Assert.Equal("CLOSED_LOST", (await _app.GetLeadAsync("lead-flow-retry")).Status());
    }

    [Fact]
    public async Task Flow_PicklistValues_TranslatedByTheSalesforceMaps()
    {
        await _app.HandOffAsync("lead-flow-maps");

        var response = await _app.PostFlowAsync("""{"leadId":"lead-flow-maps","status":"Closed - Not Converted","reasonCode":"Wrong contact data"}""");

        Assert.Equal(200, response.Status);
        Assert.Equal("BAD_DATA", Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-flow-maps")).GetString("ReasonCode"));
    }

    [Fact]
    public async Task Flow_RotatedSecrets_EitherAccepted()
    {
        await _app.HandOffAsync("lead-flow-rot");

        var withNext = await _app.PostFlowAsync("""{"leadId":"lead-flow-rot","status":"SAL"}""", FeedbackTesting.NextFlowSecret);
        var withCurrent = await _app.PostFlowAsync("""{"leadId":"lead-flow-rot","status":"Working - Contacted"}""");

        Assert.Equal(200, withNext.Status);
        Assert.Equal(200, withCurrent.Status);
        Assert.True(withCurrent.Json.GetProperty("duplicate").GetBoolean());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("flow-secret-5Tg8hJ2wQ6zL3cX")]
    [InlineData("flow-secret-5Tg8hJ2wQ6zL3cX9x")]
    public async Task Flow_MissingOrWrongSecret_401AndNothingWritten(string? secret)
    {
        await _app.HandOffAsync("lead-flow-secret");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostFlowAsync("""{"leadId":"lead-flow-secret","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""", secret);

        Assert.Equal(401, response.Status);
        Assert.Contains("X-Smarketing-Secret", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task Flow_UnknownStatusValue_400NamingWhatItMayBe()
    {
        await _app.HandOffAsync("lead-flow-status");

        var response = await _app.PostFlowAsync("""{"leadId":"lead-flow-status","status":"Qualified"}""");

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").GetProperty("status").EnumerateArray()).GetString();
        Assert.Contains("CLOSED_WON", error, StringComparison.Ordinal);
        Assert.Contains("'Closed - Not Converted'", error, StringComparison.Ordinal);
    }
}
