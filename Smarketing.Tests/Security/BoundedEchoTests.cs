using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// A value a vendor sends can be as long as the body cap and hold line breaks: echoed as it came, it would forge log
/// lines and fill SOAP faults and logs with a megabyte. Every echo is cut to <see cref="SensitiveText.EchoLength"/>
/// characters and made one line.
/// </summary>
public sealed class BoundedEchoTests
{
    // What fills the Outbound Message cap (1 MiB) once the envelope around it is counted.
    private const int NearlyAMebibyte = (1024 * 1024) - 8192;

    [Fact]
    public void Echo_MebibyteWithLineBreaksAndOverrides_OneLineCutToTheStatedLength()
    {
        var value = "BOGUS\r\nINFO forged line\u2028\u202Eevil" + new string('x', NearlyAMebibyte);

        var echo = SensitiveText.Echo(value);

        Assert.StartsWith("BOGUS??INFO forged line??evil", echo, StringComparison.Ordinal);
        Assert.Equal(SensitiveText.EchoLength, echo.IndexOf('…', StringComparison.Ordinal));
        Assert.EndsWith($"…[+{value.Length - SensitiveText.EchoLength}]", echo, StringComparison.Ordinal);
        Assert.DoesNotContain(echo, char.IsControl);
        Assert.Equal("short", SensitiveText.Echo("short"));
        Assert.Null(SensitiveText.Echo(null));
        Assert.Equal(SensitiveText.Echo(value), new Echoed(value).ToString());
        Assert.Equal("https://vendor.example/hook?code=REDACTED&x=1", SensitiveText.Echo("https://vendor.example/hook?code=abc123secret&x=1"));
    }

    [Fact]
    public async Task OutboundMessage_MebibyteStatusWithLineBreaks_FaultAndLogLinesCutAndSingleLine()
    {
        var sink = new LogSink();
        await using var app = await TestApp.StartAsync(b => b.Logging.AddProvider(sink), FeedbackTesting.Settings());
        var status = "BOGUS\nINFO forged log line\r\n" + new string('x', NearlyAMebibyte);
        var envelope = SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-echo", status));

        var response = await app.PostOutboundMessageAsync(envelope);

        Assert.Equal(400, response.Status);
        Assert.True(response.Body.Length < 4_000, $"the fault is {response.Body.Length} characters");
        var fault = XDocument.Parse(response.Body).Descendants("faultstring").Single().Value;
        Assert.DoesNotContain('\n', fault);
        Assert.DoesNotContain('\r', fault);
        Assert.True(fault.Contains("BOGUS?INFO forged log line?xxx", StringComparison.Ordinal), fault);
        Assert.Contains("…[+", fault, StringComparison.Ordinal);
        var problem = XDocument.Parse(response.Body).Descendants(XName.Get("notificationProblem", "http://soap.sforce.com/2005/09/outbound")).Single().Value;
        Assert.DoesNotContain('\n', problem);

        var lines = sink.Entries.Where(e => e.Message.Contains("BOGUS", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, e =>
        {
            Assert.DoesNotContain('\n', e.Message);
            Assert.True(e.Message.Length < 2_000, $"a log line of {e.Message.Length} characters");
        });
    }

    [Fact]
    public async Task ProblemDetails_LongValuesWithLineBreaksFromCallers_CutAndSingleLine()
    {
        await using var app = await TestApp.StartAsync(settings: FeedbackTesting.Settings());
        var name = "viewed\nINFO forged" + new string('y', 60_000);
        var lead = Smarketing.Tests.Pipeline.Leads.Article("lead-echo-problem");
        lead["actions"] = new System.Text.Json.Nodes.JsonObject { [name] = true };

        var intake = await app.PostLeadAsync(lead.ToJsonString());
        var summary = await app.GetSummaryAsync("?from=" + Uri.EscapeDataString("2026\r\nINFO forged" + new string('z', 60_000)));

        foreach (var response in new[] { intake, summary })
        {
            Assert.Equal(400, response.Status);
            Assert.True(response.Body.Length < 4_000, $"the problem is {response.Body.Length} characters");
            Assert.DoesNotContain("\\n", response.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("\\r", response.Body, StringComparison.Ordinal);
            Assert.Contains("INFO forged", response.Body, StringComparison.Ordinal);
        }
    }
}
