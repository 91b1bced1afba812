using System.Text;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// Ids become table keys, log fields, CSV cells and CRM values; Outbound Messages are XML from the internet. Neither may
/// carry what forges a log line, hides in plain sight or exhausts a thread's stack: each is refused and nothing changes.
/// </summary>
public sealed class InputBoundaryTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await FeedbackTesting.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("lead-1\nINFO forged log line")]
    [InlineData("lead-\u202Egnp.exe")]
    [InlineData("lead-\u200B1")]
    [InlineData("lead 1")]
    public async Task Intake_IdThatIsNotOneToken_400AndNothingStored(string id)
    {
        var response = await _app.PostLeadAsync(Leads.Article(id).ToJsonString());

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("id", out _));
        Assert.Empty(await TestApp.RowsAsync(_app.Layout.LeadLedger));
    }

    [Theory]
    [InlineData("lead-1\r\nINFO forged")]
    [InlineData("lead-\u2028x")]
    [InlineData("lead-\u00AD1")]
    public async Task GenericFeedback_LeadIdThatIsNotOneToken_400NamingLeadId(string id)
    {
        var body = new System.Text.Json.Nodes.JsonObject { ["leadId"] = id, ["status"] = "DISQUALIFIED", ["reasonCode"] = "NOT_A_FIT" };

        var response = await _app.PostFeedbackAsync(body.ToJsonString());

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("leadId", out _));
        Assert.Empty(await TestApp.RowsAsync(_app.Layout.DisqualificationFeedback));
    }

    [Fact]
    public async Task OutboundMessage_NotificationIdWithANewline_400FaultAndNothingRecorded()
    {
        await _app.HandOffAsync("lead-om-newline");
        var envelope = SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification("04lo000000\nFORGED", "lead-om-newline", "DISQUALIFIED", Reason: "NOT_A_FIT"));

        var response = await _app.PostOutboundMessageAsync(envelope);

        Assert.Equal(400, response.Status);
        Assert.Contains("Notification[0].Id", SalesforceOutboundMessageTests.Fault(response), StringComparison.Ordinal);
        Assert.Equal("SAL", (await _app.GetLeadAsync("lead-om-newline")).Status());
    }

    [Fact]
    public async Task OutboundMessage_140000NestedElements_400FaultWithoutWalkingTheTree()
    {
        const int depth = 140_000;
        var body = new StringBuilder("<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>", depth * 8);
        body.Insert(body.Length, "<a>", depth).Insert(body.Length, "</a>", depth).Append("</soapenv:Body></soapenv:Envelope>");
        Assert.True(Encoding.UTF8.GetByteCount(body.ToString()) < 1024 * 1024, "the envelope fits in the body cap");

        // A thread with the 1.5 MiB stack that Windows workers get: building or walking the tree would overflow it.
        HttpResult? response = null;
        var thread = new Thread(() => response = _app.PostOutboundMessageAsync(body.ToString()).GetAwaiter().GetResult(), 1536 * 1024);
        thread.Start();
        thread.Join();

        Assert.Equal(400, response!.Status);
        Assert.Contains("deeper than 32", SalesforceOutboundMessageTests.Fault(response), StringComparison.Ordinal);
    }
}
