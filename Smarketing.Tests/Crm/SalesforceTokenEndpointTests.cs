using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Salesforce;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// Answers of Salesforce's token endpoint that need no state (FakeSalesforce issues tokens and keeps leads),
/// from a WireMock server on 127.0.0.1, to the Salesforce client the app's composition root builds.
/// </summary>
public sealed class SalesforceTokenEndpointTests : IDisposable
{
    private const string TokenPath = "/services/oauth2/token";

    private readonly WireMockServer _salesforce = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });

    public void Dispose() => _salesforce.Dispose();

    private CrmTestHost CreateHost()
    {
        var settings = CrmTestSettings.FastResilience();
        settings["Crm:Provider"] = SalesforceCrmClient.ProviderName;
        settings["Crm:Salesforce:LoginUrl"] = _salesforce.Url;
        settings["Crm:Salesforce:ClientId"] = FakeSalesforce.ClientId;
        settings["Crm:Salesforce:ClientSecret"] = FakeSalesforce.ClientSecret;
        return CrmTestHost.Create(settings);
    }

    private void TokenEndpointAnswers(IResponseBuilder response) =>
        _salesforce.Given(Request.Create().WithPath(TokenPath).UsingPost()).RespondWith(response);

    private static Task<CrmUpsertResult> UpsertAsync(CrmTestHost host) =>
        host.Get<SalesforceCrmClient>().UpsertLeadAsync(SalesforceCrmClientTests.Lead(), CancellationToken.None);

    // Nothing but the token request reached the server: no upsert was sent without a token.
    private void AssertOnlyOneTokenRequest()
    {
        var request = Assert.Single(_salesforce.LogEntries).RequestMessage;
        Assert.Equal(("POST", TokenPath), (request.Method, request.Path));
    }

    [Fact]
    public async Task UpsertLead_TokenRefusedAsInvalidGrant_CredentialsRefusedNamingTheSettingsAndTheRunAsUser()
    {
        // What Salesforce answers when the connected app has no 'Run As' user for the client credentials flow.
        TokenEndpointAnswers(Response.Create()
            .WithStatusCode(400)
            .WithHeader("Content-Type", "application/json;charset=UTF-8")
            .WithBody("""{"error":"invalid_grant","error_description":"no client credentials user enabled"}"""));
        using var host = CreateHost();

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => UpsertAsync(host));

        Assert.Equal(CrmCondition.CredentialsRefused, failure.Condition);
        Assert.Equal(
            "Salesforce refused the client credentials (HTTP 400 invalid_grant: no client credentials user enabled). " +
            "Check Crm:Salesforce:LoginUrl, ClientId and ClientSecret, and that the connected app enables the client credentials flow " +
            "with a 'Run As' user; waiting handoffs resume by themselves once it works.",
            failure.Message);
        AssertOnlyOneTokenRequest();
    }

    [Fact]
    public async Task UpsertLead_TokenAnswerWithoutInstanceUrl_TransientWithTheStatus()
    {
        TokenEndpointAnswers(Response.Create()
            .WithStatusCode(200)
            .WithHeader("Content-Type", "application/json;charset=UTF-8")
            .WithBody("""{"access_token":"00DTEST!token","token_type":"Bearer"}"""));
        using var host = CreateHost();

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => UpsertAsync(host));

        Assert.Equal("Salesforce's token endpoint answered 200 without access_token and instance_url.", failure.Message);
        Assert.Equal(200, failure.StatusCode);
        AssertOnlyOneTokenRequest();
    }

    [Fact]
    public async Task UpsertLead_TokenEndpointDownAskingForALongWait_TransientCarryingRetryAfterNotRetriedInProcess()
    {
        // A maintenance page, and a wait longer than Crm:Resilience:MaxRetryAfter: the next delivery is the retry.
        TokenEndpointAnswers(Response.Create()
            .WithStatusCode(503)
            .WithHeader("Retry-After", "120")
            .WithHeader("Content-Type", "text/html")
            .WithBody("<html><body>Down for maintenance</body></html>"));
        using var host = CreateHost();

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => UpsertAsync(host));

        Assert.Equal("Salesforce's token endpoint answered HTTP 503 Service Unavailable.", failure.Message);
        Assert.Equal(503, failure.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), failure.RetryAfter);
        AssertOnlyOneTokenRequest();
    }
}
