using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Smarketing.Functions;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>
/// The feedback endpoints over real HTTP on 127.0.0.1, as a vendor calls them: the ack's bytes and headers on the wire, and
/// a HubSpot signature checked against the URL rebuilt from the request itself (no public base URL configured).
/// </summary>
public sealed class FeedbackOverHttpTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private WebApplication _web = null!;
    private Uri _baseAddress = null!;

    public async Task InitializeAsync()
    {
        _app = await FeedbackTesting.StartAsync(new Dictionary<string, string?> { ["Feedback:HubSpot:PublicBaseUrl"] = string.Empty });
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _web = builder.Build();
        _web.MapPost("/api/crm/feedback/salesforce-outbound", Handle(c => _app.Function<RecordSalesforceOutboundMessage>().Run(c.Request, c.RequestAborted)));
        _web.MapPost("/api/crm/feedback/hubspot", Handle(c => _app.Function<RecordHubSpotFeedback>().Run(c.Request, c.RequestAborted)));
        _web.MapGet("/api/feedback/summary", Handle(c => _app.Function<GetFeedbackSummary>().Run(c.Request, c.RequestAborted)));
        _web.MapGet("/api/feedback/export", Handle(c => _app.Function<ExportFeedback>().Run(c.Request, c.RequestAborted)));
        await _web.StartAsync();
        _baseAddress = new Uri(_web.Urls.First());
    }

    public async Task DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task OutboundMessageAndHubSpotOverHttp_AckOnTheWire_SignatureOverTheRequestUrl_ThenSummaryAndCsv()
    {
        using var client = new HttpClient { BaseAddress = _baseAddress };
        await _app.HandOffAsync("lead-http-sf", "lead-http-hs");

        using var soap = new StringContent(
            SalesforceEnvelopes.Build(FeedbackTesting.OrganizationId, new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-http-sf", "DISQUALIFIED", Reason: "NOT_A_FIT")),
            Encoding.UTF8,
            "text/xml");
        soap.Headers.Add("SOAPAction", "\"\"");
        using var acked = await client.PostAsync($"/api/crm/feedback/salesforce-outbound?code=k&token={FeedbackTesting.OutboundSecret}", soap);

        Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
        Assert.Equal("text/xml; charset=utf-8", acked.Content.Headers.ContentType!.ToString());
        Assert.Equal(SalesforceEnvelopes.ExpectedAck, await acked.Content.ReadAsStringAsync());

        var body = HubSpotPayloads.LegacyContact("lead-http-hs", "UNQUALIFIED", reason: "BAD_DATA");
        var url = new Uri(client.BaseAddress!, "/api/crm/feedback/hubspot?code=k%3Ax");
        var timestamp = _app.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        using var hubspot = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        hubspot.Headers.Add("X-HubSpot-Signature-v3", FeedbackTesting.SignV3(FeedbackTesting.HubSpotClientSecret, "POST", url.AbsoluteUri.Replace("%3A", ":", StringComparison.Ordinal), body, timestamp));
        hubspot.Headers.Add("X-HubSpot-Request-Timestamp", timestamp);
        using var recorded = await client.SendAsync(hubspot);

        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);

        client.DefaultRequestHeaders.Add(Smarketing.Functions.Http.AdminOptions.KeyHeader, TestApp.AdminKey);
        using var summary = await client.GetAsync("/api/feedback/summary?from=2026-11-01&to=2026-12-01");
        var totals = System.Text.Json.JsonDocument.Parse(await summary.Content.ReadAsStringAsync()).RootElement.GetProperty("totals");
        Assert.Equal((2, 2, 1.0), (totals.GetProperty("mqls").GetInt32(), totals.GetProperty("disqualifications").GetInt32(), totals.GetProperty("disqualificationRate").GetDouble()));

        using var export = await client.GetAsync("/api/feedback/export?from=2026-11-01&to=2026-12-01");
        Assert.Equal("text/csv; charset=utf-8", export.Content.Headers.ContentType!.ToString());
        Assert.Equal("disqualification-feedback_20261101T000000Z_20261201T000000Z.csv", export.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        var lines = (await export.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["lead-http-hs", "lead-http-sf"], lines.Skip(1).Select(l => l.Split(',')[2]).Order(StringComparer.Ordinal));
    }

    // Plays the Functions host: runs the function class and executes its result into the response.
    private static RequestDelegate Handle(Func<HttpContext, Task<IActionResult>> function) => async context =>
    {
        var result = await function(context);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
    };
}
