using Smarketing.Core.Contracts;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Pipeline;

public sealed class ScoreLeadTests
{
    [Fact]
    public async Task Post_LeadScoringExactly70_StoredAsNewAndNothingEnqueued()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostLeadAsync(Leads.ScoringExactly70().ToJsonString());

        Assert.Equal(202, response.Status);
        Assert.Equal(70, response.Json.GetProperty("score").GetInt32());
        Assert.Equal("NEW", response.Json.GetProperty("status").GetString());
        Assert.False(response.Json.GetProperty("handoffEnqueued").GetBoolean());
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.LeadLedger));
        Assert.Equal("NEW", row.GetString("Status"));
        Assert.Equal(70, row.GetInt32("Score"));
        Assert.False(row.GetBoolean("HandoffPending"));
    }

    [Fact]
    public async Task Post_MissingEmail_400NamingEmailAndNothingStoredOrEnqueued()
    {
        await using var app = await TestApp.StartAsync();
        var lead = Leads.Article();
        lead.Remove("email");

        var response = await app.PostLeadAsync(lead.ToJsonString());

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(["email"], response.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));
    }

    [Fact]
    public async Task Post_SeveralBadFields_EveryBadFieldNamed()
    {
        await using var app = await TestApp.StartAsync();
        var body = """{"email":"not-an-address","companySize":"big","phone":12,"actions":{"viewedPricingPage":"yes","webinar":{"count":-1}}}""";

        var response = await app.PostLeadAsync(body);

        Assert.Equal(400, response.Status);
        var fields = response.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["actions.viewedPricingPage", "actions.webinar.count", "companySize", "email", "phone"], fields);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }

    [Theory]
    [InlineData("[1,2,3]", "$")]
    [InlineData("{\"email\": ", "$")]
    [InlineData("\"just a string\"", "$")]
    public async Task Post_NotAJsonObject_400OnTheBody(string body, string field)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostLeadAsync(body);

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/jsonx")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/json+json")]
    [InlineData("")]
    public async Task Post_WrongContentType_415AndNothingStored(string contentType)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostLeadAsync(Leads.Article().ToJsonString(), contentType);

        Assert.Equal(415, response.Status);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }

    [Fact]
    public async Task Post_BodyOverTheCap_413AndNothingStored()
    {
        await using var app = await TestApp.StartAsync();
        var lead = Leads.Article();
        lead["padding"] = new string('x', Smarketing.Functions.Http.RequestBodies.MaxBodyBytes);

        var response = await app.PostLeadAsync(lead.ToJsonString());

        Assert.Equal(413, response.Status);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }

    [Fact]
    public async Task Post_SameWebhookThreeTimes_OneMessageOneCrmRecordOneTransitionEach()
    {
        await using var app = await TestApp.StartAsync();
        var body = Leads.Article().ToJsonString();

        var responses = new List<HttpResult>();
        for (var i = 0; i < 3; i++)
        {
            responses.Add(await app.PostLeadAsync(body));
        }

        Assert.All(responses, r => Assert.Equal(202, r.Status));
        Assert.All(responses, r => Assert.Equal("MQL", r.Json.GetProperty("status").GetString()));
        Assert.Equal([true, false, false], responses.Select(r => r.Json.GetProperty("handoffEnqueued").GetBoolean()));
        Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));

        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        var history = (await app.GetLeadAsync("lead-article-1")).Json.GetProperty("history").EnumerateArray()
            .Select(e => e.GetProperty("to").GetString()).ToList();
        Assert.Equal(["MQL", "SAL"], history);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/vnd.hubspot+json")]
    public async Task Post_JsonContentTypes_Accepted(string contentType)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.PostLeadAsync(Leads.Article().ToJsonString(), contentType);

        Assert.Equal(202, response.Status);
    }

    [Fact]
    public async Task Post_LeadWithoutId_IdDerivedFromEmailWithoutTheAddress()
    {
        await using var app = await TestApp.StartAsync();
        var lead = Leads.Article();
        lead.Remove("id");

        var response = await app.PostLeadAsync(lead.ToJsonString());

        var id = response.Json.GetProperty("leadId").GetString()!;
        Assert.StartsWith(LeadIds.Prefix, id, StringComparison.Ordinal);
        Assert.DoesNotContain("example", id, StringComparison.Ordinal);
        Assert.Equal(id, (await app.PostLeadAsync(lead.ToJsonString())).Json.GetProperty("leadId").GetString());
    }

    [Fact]
    public async Task Post_LeadIdWithCharactersTableKeysForbid_StoredAndReadBack()
    {
        await using var app = await TestApp.StartAsync();
        const string id = "hubspot/contact#42?x\\y";

        var response = await app.PostLeadAsync(Leads.Article(id).ToJsonString());

        Assert.Equal(202, response.Status);
        var lead = await app.GetLeadAsync(id);
        Assert.Equal(200, lead.Status);
        Assert.Equal(id, lead.Json.GetProperty("leadId").GetString());
    }

    [Fact]
    public async Task Post_StorageUnreachable_503WithRetryAfter()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
        {
            // A port nothing listens on: every storage call fails fast.
            [Smarketing.Functions.Storage.StorageOptions.ConnectionSetting] =
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Azurite.AccountKey +
                ";TableEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;",
        }, startHost: false);

        var response = await app.PostLeadAsync(Leads.Article().ToJsonString());

        Assert.Equal(503, response.Status);
        Assert.Equal("30", response.Headers["Retry-After"].ToString());
    }
}
