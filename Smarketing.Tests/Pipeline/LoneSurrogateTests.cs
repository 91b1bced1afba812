using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Pipeline;

/// <summary>JSON may escape a lone surrogate ("\ud800"), which no .NET string can hold: a 400, never a 500.</summary>
public sealed class LoneSurrogateTests
{
    [Theory]
    [InlineData("""{"email":"a\ud800@example.com","phone":"1"}""")]
    [InlineData("""{"email":"a@example.com","\udc00":"x"}""")]
    [InlineData("""{"email":"a@example.com","actions":{"viewed\ud800":true}}""")]
    public async Task Post_LoneSurrogateEscape_400AndNothingStored(string body)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostLeadAsync(body);

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("$", out _));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }

    [Fact]
    public async Task Feedback_LoneSurrogateEscape_400()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostFeedbackAsync("""{"leadId":"\ud800","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT"}""");

        Assert.Equal(400, response.Status);
    }
}
