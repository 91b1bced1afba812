using System.Net;
using System.Text;
using Smarketing.Core.Intake.Generic;
using Smarketing.Functions;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// A vendor holds a named function key of the one function it calls (<c>az functionapp function keys set</c>), as the
/// Functions host scopes it: whoever reads the Marketo webhook's configuration gets a key that opens lead intake and
/// nothing else: not the CRM feedback endpoints, the export, the summary or the lead lookup.
/// </summary>
public sealed class FunctionKeyScopeTests : IAsyncLifetime
{
    private const string MarketoKey = "marketo-webhook-key-Lq8Wd3Rx7Nc2Vt5Hb9Kz";

    private TestApp _app = null!;
    private LocalFunctionsServer _server = null!;

    public static TheoryData<string, string> OtherDoors() => new()
    {
        { "POST", "/api/crm/feedback" },
        { "POST", "/api/crm/feedback/hubspot" },
        { "POST", "/api/crm/feedback/salesforce-flow" },
        { "POST", "/api/crm/feedback/salesforce-outbound" },
        { "GET", "/api/feedback/export" },
        { "GET", "/api/feedback/summary" },
        { "GET", "/api/leads/lead-scope" },
        { "GET", "/api/leads/lead-scope/history" },
        { "GET", "/api/handoffs/status" },
        { "GET", "/api/handoffs/poison" },
        { "POST", "/api/handoffs/poison/replay" },
    };

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _server = await LocalFunctionsServer.StartAsync(_app, runQueueListener: false, LocalFunctionsServer.DefaultKeys.WithFunctionKey(nameof(ScoreLead), MarketoKey));
        Assert.Equal(202, (await _app.PostLeadAsync(Leads.Article("lead-scope").ToJsonString())).Status);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(OtherDoors))]
    public async Task MarketoIntakeKey_AnyOtherFunction_401FromTheHostAndNothingRuns(string method, string path)
    {
        // The admin key too, to show it is the host's refusal: the function is never reached.
        using var header = Request(method, path);
        header.Headers.Add("x-functions-key", MarketoKey);
        header.Headers.Add(Smarketing.Functions.Http.AdminOptions.KeyHeader, TestApp.AdminKey);
        using var query = Request(method, path + "?code=" + MarketoKey);

        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        using var byHeader = await http.SendAsync(header);
        using var byQuery = await http.SendAsync(query);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (byHeader.StatusCode, byQuery.StatusCode));
        Assert.Equal(string.Empty, await byHeader.Content.ReadAsStringAsync());
        Assert.Equal("MQL", (await _app.GetLeadAsync("lead-scope")).Json.GetProperty("status").GetString());
        Assert.Empty(await TestApp.RowsAsync(_app.Layout.DisqualificationFeedback));
    }

    [Fact]
    public async Task MarketoIntakeKey_LeadIntake_Accepted()
    {
        var json = Leads.Article("lead-scope-intake").ToJsonString();
        using var request = Request("POST", "/api/leads", json);
        request.Headers.Add("x-functions-key", MarketoKey);
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = _app.Time.GetUtcNow().ToUnixTimeSeconds();
        StandardWebhooks.TryDecodeSecret(TestApp.GenericSecret, out var secret);
        request.Headers.Add(StandardWebhooks.IdHeader, id);
        request.Headers.Add(StandardWebhooks.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(secret, id, timestamp, Encoding.UTF8.GetBytes(json)));

        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task NamedKeyOfTheExport_OpensTheExportOnly_AndStillNeedsTheAdminCredential()
    {
        var exportKey = "export-key-Tz4Mq9Xc2Ln7Rb5Vw8Hd3J";
        await using var server = await LocalFunctionsServer.StartAsync(_app, runQueueListener: false, LocalFunctionsServer.DefaultKeys.WithFunctionKey(nameof(ExportFeedback), exportKey));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Add("x-functions-key", exportKey);

        using var withoutAdmin = await http.GetAsync(new Uri("/api/feedback/export", UriKind.Relative));
        http.DefaultRequestHeaders.Add(Smarketing.Functions.Http.AdminOptions.KeyHeader, TestApp.AdminKey);
        using var export = await http.GetAsync(new Uri("/api/feedback/export", UriKind.Relative));
        using var summary = await http.GetAsync(new Uri("/api/feedback/summary", UriKind.Relative));

        Assert.Equal(
            (HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized),
            (withoutAdmin.StatusCode, export.StatusCode, summary.StatusCode));
        Assert.Equal(string.Empty, await summary.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("master", nameof(ListPoisonedHandoffs), true)]
    [InlineData("host", nameof(ListPoisonedHandoffs), false)]
    [InlineData("marketo", nameof(ListPoisonedHandoffs), false)]
    [InlineData("master", nameof(GetLead), true)]
    [InlineData("host", nameof(GetLead), true)]
    [InlineData("host-2", nameof(RecordCrmFeedback), true)]
    [InlineData("marketo", nameof(ScoreLead), true)]
    [InlineData("marketo", nameof(GetLead), false)]
    [InlineData("marketo", nameof(RecordCrmFeedback), false)]
    [InlineData("none", nameof(ScoreLead), false)]
    public void Opens_AsTheHostDecides(string presented, string function, bool opens)
    {
        var keys = new FunctionKeys("host-key", "master-key") { MoreHostKeys = ["host-2-key"] }.WithFunctionKey(nameof(ScoreLead), "marketo-key");
        var level = function == nameof(ListPoisonedHandoffs) ? Microsoft.Azure.Functions.Worker.AuthorizationLevel.Admin : Microsoft.Azure.Functions.Worker.AuthorizationLevel.Function;

        Assert.Equal(opens, keys.Opens(function, level, presented == "none" ? null : presented + "-key"));
    }

    private static HttpRequestMessage Request(string method, string path, string? body = null) =>
        new(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = method == "POST" ? new StringContent(body ?? """{"leadId":"lead-scope","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""", Encoding.UTF8, "application/json") : null,
        };
}
