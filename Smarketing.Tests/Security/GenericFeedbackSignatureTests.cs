using Smarketing.Core.Intake.Generic;
using Smarketing.Functions;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// <c>POST /api/crm/feedback</c> moves leads through the funnel: a function key alone (which a vendor's configuration
/// shows) must not be enough. It takes a Standard Webhooks signature with secrets of its own, not the lead intake's.
/// </summary>
public sealed class GenericFeedbackSignatureTests : IAsyncLifetime
{
    private const string Disqualify = """{"leadId":"lead-signed-fb","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""";
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        await _app.HandOffAsync("lead-signed-fb");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("unsigned")]
    [InlineData("intake-secret")]
    [InlineData("tampered")]
    [InlineData("stale")]
    public async Task NotSignedWithAFeedbackSecret_401AndNothingChanges(string badCase)
    {
        var request = HttpInvoker.Request("POST", "/api/crm/feedback", Disqualify);
        switch (badCase)
        {
            case "intake-secret":
                Sign(request, TestApp.GenericSecret, Disqualify, _app.Time.GetUtcNow());
                break;
            case "tampered":
                Sign(request, TestApp.FeedbackSecret, Disqualify.Replace("NOT_A_FIT", "BAD_DATA", StringComparison.Ordinal), _app.Time.GetUtcNow());
                break;
            case "stale":
                Sign(request, TestApp.FeedbackSecret, Disqualify, _app.Time.GetUtcNow().AddMinutes(-6));
                break;
        }

        var response = await HttpInvoker.ExecuteAsync(request, await _app.Function<RecordCrmFeedback>().Run(request, CancellationToken.None));

        Assert.Equal(401, response.Status);
        Assert.Equal("SAL", (await _app.GetLeadAsync("lead-signed-fb")).Status());
        Assert.Empty(await TestApp.RowsAsync(_app.Layout.DisqualificationFeedback));
    }

    [Fact]
    public async Task SignedWithTheFeedbackSecret_Applied_TheSameDeliveryAgainIsADuplicate()
    {
        var first = HttpInvoker.Request("POST", "/api/crm/feedback", Disqualify);
        _app.SignFeedback(first, Disqualify, id: "msg_fb_1");
        var again = HttpInvoker.Request("POST", "/api/crm/feedback", Disqualify);
        _app.SignFeedback(again, Disqualify, id: "msg_fb_1");

        var applied = await HttpInvoker.ExecuteAsync(first, await _app.Function<RecordCrmFeedback>().Run(first, CancellationToken.None));
        var duplicate = await HttpInvoker.ExecuteAsync(again, await _app.Function<RecordCrmFeedback>().Run(again, CancellationToken.None));

        Assert.Equal((200, 200), (applied.Status, duplicate.Status));
        Assert.Equal("DISQUALIFIED", (await _app.GetLeadAsync("lead-signed-fb")).Status());
        Assert.Single(await TestApp.RowsAsync(_app.Layout.DisqualificationFeedback));
        Assert.Contains("duplicate", duplicate.Body, StringComparison.OrdinalIgnoreCase);
    }

    private static void Sign(Microsoft.AspNetCore.Http.HttpRequest request, string secret, string body, DateTimeOffset at)
    {
        StandardWebhooks.TryDecodeSecret(secret, out var key);
        var ts = at.ToUnixTimeSeconds();
        request.Headers[StandardWebhooks.IdHeader] = "msg_bad";
        request.Headers[StandardWebhooks.TimestampHeader] = ts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers[StandardWebhooks.SignatureHeader] = StandardWebhooks.Sign(key, "msg_bad", ts, System.Text.Encoding.UTF8.GetBytes(body));
    }
}
