using CsCheck;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Storage;

public sealed class TableKeysTests
{
    private static readonly char[] Forbidden = ['/', '\\', '#', '?'];

    [Theory]
    [InlineData("lead-42", "lead-42")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("a\\b#c?d", "a%5Cb%23c%3Fd")]
    [InlineData("100%", "100%25")]
    [InlineData("tab\there", "tab%09here")]
    public void Encode_ForbiddenCharacters_PercentEncodedAndDecodable(string value, string key)
    {
        Assert.Equal(key, TableKeys.Encode(value));
        Assert.Equal(value, TableKeys.Decode(key));
    }

    [Fact]
    public void Encode_AnyString_ValidKeyWithinTheLimitAndDistinct()
    {
        Gen.String[0, 400].Sample(value =>
        {
            var key = TableKeys.Encode(value);
            Assert.True(key.Length <= TableKeys.MaxLength, $"{key.Length} characters");
            Assert.True(key.IndexOfAny(Forbidden) < 0 && !key.Any(char.IsControl));
            Assert.False(key.Length > 0 && char.IsHighSurrogate(key[^1]));
            if (key.Length < TableKeys.MaxLength - 64)
            {
                Assert.Equal(value, TableKeys.Decode(key));
            }

            Assert.NotEqual(key, TableKeys.Encode(value + "x"));
        }, iter: 2000);
    }

    [Fact]
    public async Task Post_LongestIdOfForbiddenCharacters_StoredAndReadBack()
    {
        await using var app = await TestApp.StartAsync();
        var id = string.Concat(Enumerable.Repeat("/#?\\", 50));

        var response = await app.PostLeadAsync(Leads.Article(id).ToJsonString());

        Assert.Equal(202, response.Status);
        var lead = await app.GetLeadAsync(id);
        Assert.Equal(200, lead.Status);
        Assert.Equal(id, lead.Json.GetProperty("leadId").GetString());
    }
}
