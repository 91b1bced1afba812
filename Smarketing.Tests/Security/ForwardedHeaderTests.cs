using System.Globalization;
using System.Text;
using Smarketing.Core.Intake.HubSpot;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Intake;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// A HubSpot v3 signature covers the URL HubSpot called. A delivery signed for another host (another app of the same
/// HubSpot developer account, a staging copy) must not become valid here because the caller wrote that host into
/// <c>X-Forwarded-Host</c>: forwarded headers count only as far as <c>Http:TrustedProxyHops</c> says proxies of our own wrote them.
/// </summary>
public sealed class ForwardedHeaderTests
{
    private const string Secret = "hubspot-client-secret-0123456789";
    private const string Foreign = "https://other-app.example/api/leads/hubspot";
    private const string Ours = "https://leads.customer.example/api/leads/hubspot";

    private static Dictionary<string, string?> Settings(int? hops = null)
    {
        var settings = new Dictionary<string, string?> { ["Intake:HubSpot:ClientSecrets"] = Secret };
        if (hops is { } n)
        {
            settings["Http:TrustedProxyHops"] = n.ToString(CultureInfo.InvariantCulture);
        }

        return settings;
    }

    private static Dictionary<string, string> Signed(TestApp app, string uri, string forwardedHost, string forwardedProto = "https")
    {
        var ts = app.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            [HubSpotSignatures.TimestampHeader] = ts,
            [HubSpotSignatures.V3Header] = HubSpotSignatures.SignV3(Secret, "POST", uri, Encoding.UTF8.GetBytes(Payloads.HubSpotFlat), ts),
            ["X-Forwarded-Host"] = forwardedHost,
            ["X-Forwarded-Proto"] = forwardedProto,
        };
    }

    [Fact]
    public async Task NoTrustedProxy_SpoofedForwardedHost_ForeignSignatureRefusedAndNothingStored()
    {
        await using var app = await TestApp.StartAsync(settings: Settings());

        var response = await app.PostToSourceAsync("hubspot", Payloads.HubSpotFlat, "application/json", Signed(app, Foreign, "other-app.example"), host: "smarketing.example.com");

        Assert.Equal(401, response.Status);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }

    [Fact]
    public async Task OneTrustedProxy_ClientWroteAHostLeftOfOurs_ForeignSignatureRefused_OursAccepted()
    {
        await using var app = await TestApp.StartAsync(settings: Settings(hops: 1));

        var spoofed = await app.PostToSourceAsync("hubspot", Payloads.HubSpotFlat, "application/json", Signed(app, Foreign, "other-app.example, leads.customer.example"), scheme: "http", host: "127.0.0.1:7071");
        var genuine = await app.PostToSourceAsync("hubspot", Payloads.HubSpotFlat, "application/json", Signed(app, Ours, "other-app.example, leads.customer.example", "http, https"), scheme: "http", host: "127.0.0.1:7071");

        Assert.Equal(401, spoofed.Status);
        Assert.Equal(202, genuine.Status);
    }

    [Theory]
    [InlineData("other-app.example/api/leads/hubspot?x=")]
    [InlineData("user@other-app.example")]
    [InlineData("other-app.example:99999")]
    public async Task TrustedProxy_ForwardedHostThatIsNoHost_Ignored(string forwardedHost)
    {
        await using var app = await TestApp.StartAsync(settings: Settings(hops: 1));

        var response = await app.PostToSourceAsync("hubspot", Payloads.HubSpotFlat, "application/json", Signed(app, "https://smarketing.example.com/api/leads/hubspot", forwardedHost), host: "smarketing.example.com");

        Assert.Equal(202, response.Status);
    }

    [Fact]
    public async Task HubSpotFeedback_NoTrustedProxy_SpoofedForwardedHost_ForeignSignatureRefused()
    {
        var settings = FeedbackTesting.Settings();
        settings.Remove("Feedback:HubSpot:PublicBaseUrl");
        await using var app = await TestApp.StartAsync(settings: settings);
        const string body = """{"objectId":1,"properties":{"smarketing_lead_id":{"value":"lead-x"},"hs_lead_status":{"value":"UNQUALIFIED"}}}""";

        var response = await app.PostHubSpotSignedAsync(body, tamper: request =>
        {
            request.Scheme = "https";
            request.Host = new Microsoft.AspNetCore.Http.HostString("smarketing.example.com");
            request.Headers["X-Forwarded-Host"] = new Uri(FeedbackTesting.PublicBaseUrl).Host;
        });

        Assert.Equal(401, response.Status);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
    }
}
