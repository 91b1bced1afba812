using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.HubSpot;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// A function key in <c>?code=</c>, a Salesforce Outbound Message secret in <c>?token=</c>, or any secret in the query of
/// a CRM call must not reach the logs: the app runs here as the worker runs it (its composition root on ASP.NET Core over
/// real HTTP, every log category at Trace), takes such requests, hands a lead off to a real HTTP HubSpot fake, and every
/// log line is searched for the secret values.
/// </summary>
public sealed class QuerySecretScrubbingTests
{
    private const string OutboundToken = "sf-outbound-token-Pq7Zr3Lm9Xc2Vb8";
    private const string CrmQuerySecret = "crm-query-secret-Wd4Hn8Tk2Jf6Qs1";

    [Fact]
    public async Task RequestsWithCodeAndToken_AndCrmCalls_NoSecretInAnyLogLine()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        await using var account = await Azurite.LeaseAccountAsync();
        var logs = new LogSink();
        var settings = new Dictionary<string, string?>(TestApp.DefaultSettings)
        {
            [StorageOptions.ConnectionSetting] = account.ConnectionString,
            ["Feedback:Salesforce:OutboundMessageSecrets"] = OutboundToken,
            ["Feedback:Salesforce:OrganizationIds"] = Smarketing.Tests.Feedback.FeedbackTesting.OrganizationId,
        };
        foreach (var (key, value) in CrmTestSettings.For(crm))
        {
            settings[key] = value;
        }

        await using var web = await WorkerWebApp.StartAsync(settings, logs);
        using var http = new HttpClient { BaseAddress = new Uri(web.Urls.First()) };

        using var lead = WorkerWebApp.SignedRequest(HttpMethod.Post, "/api/leads?code=" + LocalFunctionsServer.FunctionKey + "&token=" + OutboundToken, Leads.Article("lead-scrub").ToJsonString(), TestApp.GenericSecret);
        using var accepted = await http.SendAsync(lead);
        using var outbound = await http.PostAsync(
            new Uri($"/api/crm/feedback/salesforce-outbound?code={LocalFunctionsServer.FunctionKey}&token={OutboundToken}", UriKind.Relative),
            new StringContent("<not-soap/>", Encoding.UTF8, "text/xml"));
        var layout = web.Services.GetRequiredService<StorageLayout>();
        var handoff = new QueueTriggerHost(layout.Handoff, layout.HandoffPoison, HostQueueSettings.FromHostJson(), (m, ct) => ActivatorUtilities.CreateInstance<HandOffMql>(web.Services).Run(m, ct));
        await handoff.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        using var crmClient = web.Services.GetRequiredService<IHttpClientFactory>().CreateClient(HubSpotCrmClient.HttpClientName);
        using var crmCall = await crmClient.GetAsync(new Uri(crm.BaseAddress, $"/crm/v3/objects/contacts/1?properties=email&code={CrmQuerySecret}&access_token={CrmQuerySecret}"));
        await web.StopAsync();

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, outbound.StatusCode);
        Assert.NotEmpty(crm.ApiRequests);
        Assert.Contains(logs.Entries, e => e.Category.StartsWith("System.Net.Http.HttpClient." + HubSpotCrmClient.HttpClientName, StringComparison.Ordinal));
        var secrets = new[] { LocalFunctionsServer.FunctionKey, OutboundToken, CrmQuerySecret, FakeHubSpot.AccessToken };
        var leaks = logs.Entries.Where(e => secrets.Any(s => e.Message.Contains(s, StringComparison.Ordinal))).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(leaks.Count == 0, "Secrets in the logs:\n" + string.Join("\n", leaks));
    }

    [Theory]
    [InlineData("https://app.example.net/api/leads?code=abc%3D%3D&source=x", "https://app.example.net/api/leads?code=REDACTED&source=x")]
    [InlineData("/api/crm/feedback/salesforce-outbound?token=t0k&code=k", "/api/crm/feedback/salesforce-outbound?token=REDACTED&code=REDACTED")]
    [InlineData("GET https://acct.blob.core.windows.net/c/b?sv=2024&SIG=s1g%2B&se=1 failed", "GET https://acct.blob.core.windows.net/c/b?sv=2024&SIG=REDACTED&se=1 failed")]
    [InlineData("callback?access_token=a.b.c#key=k2", "callback?access_token=REDACTED#key=REDACTED")]
    [InlineData("barcode=123&postcode=SW1", "barcode=123&postcode=SW1")]
    [InlineData("no query here", "no query here")]
    public void Redact_SecretParameters_ValuesReplacedOthersKept(string text, string expected) =>
        Assert.Equal(expected, QuerySecrets.Redact(text));

    [Fact]
    public void SensitiveText_CrmErrorQuotingAUrlWithAToken_TokenRedacted() =>
        Assert.DoesNotContain("s3cr3t", SensitiveText.Redact("HttpRequestException: 401 from https://crm.example.com/api?token=s3cr3t"), StringComparison.Ordinal);
}
