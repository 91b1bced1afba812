using Smarketing.Functions;
using Smarketing.Functions.Http;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>
/// Every endpoint reads its body through the one reader, which parses the content type as a media type: a JSON endpoint
/// takes application/json or application/*+json only, so <c>text/anything+json</c> is a 415 on each, as on the lead endpoint.
/// </summary>
public sealed class FeedbackContentTypeTests(FeedbackAppFixture fixture) : IClassFixture<FeedbackAppFixture>
{
    private const string FeedbackJson = """{"leadId":"lead-content-type","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""";

    private readonly TestApp _app = fixture.App;

    public static TheoryData<string> JsonEndpoints => new() { "lead", "generic", "salesforce-flow", "hubspot" };

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task Post_TextStructuredJson_415ProblemAndNothingStored(string endpoint)
    {
        var before = await _app.SnapshotAsync();

        var response = await PostAsync(endpoint, "text/anything+json");

        Assert.Equal(415, response.Status);
        Assert.Equal(Problems.ContentType, response.ContentType);
        Assert.Contains("application/json", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task Post_ApplicationStructuredJsonWithCharset_Read(string endpoint)
    {
        var response = await PostAsync(endpoint, "application/vnd.crm+json; charset=utf-8");

        Assert.NotEqual(415, response.Status);
    }

    [Theory]
    [InlineData("text/anything+json")]
    [InlineData("text/anything+xml")]
    public async Task OutboundMessage_OtherThanXml_415Fault(string contentType)
    {
        var response = await _app.PostOutboundMessageAsync("<x/>", contentType: contentType);

        Assert.Equal(415, response.Status);
        Assert.Contains("text/xml", SalesforceOutboundMessageTests.Fault(response), StringComparison.Ordinal);
    }

    private async Task<HttpResult> PostAsync(string endpoint, string contentType)
    {
        if (endpoint == "lead")
        {
            return await _app.PostLeadAsync(Leads.Article("lead-content-type").ToJsonString(), contentType);
        }

        var request = HttpInvoker.Request("POST", endpoint == "generic" ? "/api/crm/feedback" : "/api/crm/feedback/" + endpoint, FeedbackJson, contentType);
        switch (endpoint)
        {
            case "salesforce-flow":
                request.Headers[WebhookRequests.SecretHeader] = FeedbackTesting.FlowSecret;
                return await HttpInvoker.ExecuteAsync(request, await _app.Function<RecordSalesforceFlowFeedback>().Run(request, CancellationToken.None));
            case "hubspot":
                request.Headers[WebhookRequests.SecretHeader] = FeedbackTesting.HubSpotApiKey;
                return await HttpInvoker.ExecuteAsync(request, await _app.Function<RecordHubSpotFeedback>().Run(request, CancellationToken.None));
            default:
                _app.SignFeedback(request, FeedbackJson);
                return await HttpInvoker.ExecuteAsync(request, await _app.Function<RecordCrmFeedback>().Run(request, CancellationToken.None));
        }
    }
}
