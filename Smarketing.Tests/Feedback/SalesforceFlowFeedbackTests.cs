using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>Salesforce Flow HTTP callouts through the real function, on Azurite.</summary>
public sealed class SalesforceFlowFeedbackTests
{
    [Fact]
    public async Task Flow_DisqualificationWithInterviewId_Recorded()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-flow-1");

        var response = await app.PostFlowAsync("""
            {"eventId":"0Fo5e000000XyZ1CAK-1","leadId":"lead-flow-1","status":"DISQUALIFIED","reasonCode":"DUPLICATE","note":"Same person as lead-flow-0","rep":"005o0000002GraceAA"}
            """);

        Assert.Equal(200, response.Status);
        Assert.Equal("DISQUALIFIED", response.Json.GetProperty("status").GetString());
        Assert.Equal("0Fo5e000000XyZ1CAK-1", response.Json.GetProperty("deliveryId").GetString());
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal("data-quality", row.GetString("ReasonCategory"));
        Assert.Single(await TestApp.RowsAsync(app.Deliveries()));
    }

    [Fact]
    public async Task Flow_RetriedCalloutAfterTheDealMovedOn_AnsweredAsDuplicateNotRefused()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-flow-1");
        const string sql = """{"eventId":"0Fo5e000000XyZ1CAK-2","leadId":"lead-flow-1","status":"SQL","budgetConfirmed":true,"timelineConfirmed":true}""";
        Assert.Equal(200, (await app.PostFlowAsync(sql)).Status);
        Assert.Equal(200, (await app.PostFlowAsync("""{"eventId":"0Fo5e000000XyZ1CAK-3","leadId":"lead-flow-1","status":"CLOSED_LOST","reasonCode":"PRICE"}""")).Status);
        var before = await app.SnapshotAsync();

        var retried = await app.PostFlowAsync(sql);

        Assert.Equal(200, retried.Status);
        Assert.True(retried.Json.GetProperty("duplicate").GetBoolean());
        Assert.Equal("SQL", retried.Json.GetProperty("status").GetString());
        Assert.Equal(before, await app.SnapshotAsync());
        Assert.Equal("CLOSED_LOST", (await app.GetLeadAsync("lead-flow-1")).Status());
    }

    [Fact]
    public async Task Flow_PicklistValues_TranslatedByTheSalesforceMaps()
    {
        await using var app = await FeedbackTesting.StartAsync(new Dictionary<string, string?>
        {
            ["Feedback:Salesforce:Fields:StatusMap"] = "Closed - Not Converted=DISQUALIFIED",
            ["Feedback:Salesforce:Fields:ReasonMap"] = "Wrong contact data=BAD_DATA",
        });
        await app.PostLeadAsync(Pipeline.Leads.Article("lead-flow-1").ToJsonString());
        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        var response = await app.PostFlowAsync("""{"leadId":"lead-flow-1","status":"Closed - Not Converted","reasonCode":"Wrong contact data"}""");

        Assert.Equal(200, response.Status);
        Assert.Equal("BAD_DATA", Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback)).GetString("ReasonCode"));
    }

    [Fact]
    public async Task Flow_RotatedSecrets_EitherAccepted()
    {
        await using var app = await FeedbackTesting.StartAsync(new Dictionary<string, string?>
        {
            ["Feedback:Salesforce:FlowSecrets"] = "flow-secret-next-0000000001, " + FeedbackTesting.FlowSecret,
        });
        await app.PostLeadAsync(Pipeline.Leads.Article("lead-flow-1").ToJsonString());
        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        var withNext = await app.PostFlowAsync("""{"leadId":"lead-flow-1","status":"SAL"}""", "flow-secret-next-0000000001");
        var withCurrent = await app.PostFlowAsync("""{"leadId":"lead-flow-1","status":"SAL"}""");

        Assert.Equal(200, withNext.Status);
        Assert.Equal(200, withCurrent.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("flow-secret-5Tg8hJ2wQ6zL3cX")]
    [InlineData("flow-secret-5Tg8hJ2wQ6zL3cX9x")]
    public async Task Flow_MissingOrWrongSecret_401AndNothingWritten(string? secret)
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-flow-1");
        var before = await app.SnapshotAsync();

        var response = await app.PostFlowAsync("""{"leadId":"lead-flow-1","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""", secret);

        Assert.Equal(401, response.Status);
        Assert.Contains("X-Smarketing-Secret", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Flow_UnknownStatusValue_400NamingWhatItMayBe()
    {
        await using var app = await FeedbackTesting.WithHandedOffLeadsAsync("lead-flow-1");

        var response = await app.PostFlowAsync("""{"leadId":"lead-flow-1","status":"Working - Contacted"}""");

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").GetProperty("status").EnumerateArray()).GetString();
        Assert.Contains("CLOSED_WON", error, StringComparison.Ordinal);
    }
}
