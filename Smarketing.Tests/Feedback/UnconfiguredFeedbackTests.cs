using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>A deployment that has not set up a vendor format answers 401 naming the settings, and records nothing.</summary>
public sealed class UnconfiguredFeedbackTests(UnconfiguredAppFixture fixture) : IClassFixture<UnconfiguredAppFixture>
{
    private readonly TestApp _app = fixture.App;

    [Fact]
    public async Task OutboundMessage_NotConfigured_401FaultNamingTheSettings()
    {
        var response = await _app.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-x", "DISQUALIFIED", Reason: "NOT_A_FIT")));

        Assert.Equal(401, response.Status);
        var fault = SalesforceOutboundMessageTests.Fault(response);
        Assert.Contains("Feedback:Salesforce:OrganizationIds", fault, StringComparison.Ordinal);
        Assert.Contains("Feedback:Salesforce:OutboundMessageSecrets", fault, StringComparison.Ordinal);
        Assert.Empty(await TestApp.RowsAsync(_app.Deliveries()));
    }

    [Fact]
    public async Task Flow_NotConfigured_401NamingTheSetting()
    {
        var response = await _app.PostFlowAsync("""{"leadId":"lead-x","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""");

        Assert.Equal(401, response.Status);
        Assert.Contains("Feedback:Salesforce:FlowSecrets", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HubSpot_NotConfigured_401NamingTheSettings()
    {
        var response = await _app.PostHubSpotWithApiKeyAsync(HubSpotPayloads.Customized("lead-x", "UNQUALIFIED", reason: "NOT_A_FIT"));

        Assert.Equal(401, response.Status);
        Assert.Contains("Feedback:HubSpot:ClientSecrets", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Feedback:HubSpot:Secrets", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
