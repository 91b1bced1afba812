using System.Text.Json.Nodes;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.HubSpot;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>The HubSpot client, built by the app's composition root, against a fake HubSpot on 127.0.0.1.</summary>
public sealed class HubSpotCrmClientTests : IAsyncLifetime
{
    private FakeHubSpot _crm = null!;

    public async Task InitializeAsync() => _crm = await FakeHubSpot.StartNewAsync();

    public async Task DisposeAsync() => await _crm.DisposeAsync();

    private static CrmLeadUpsert Lead(string email = "ada@example.com") => SalesforceCrmClientTests.Lead("lead-hs-1", email);

    private CrmTestHost CreateHost(IDictionary<string, string?>? extra = null) => CrmTestHost.Create(CrmTestSettings.For(_crm, extra));

    private static JsonObject ExpectedBody(CrmLeadUpsert lead) => new()
    {
        ["inputs"] = new JsonArray(new JsonObject
        {
            ["idProperty"] = "email",
            ["id"] = lead.Email,
            ["properties"] = new JsonObject
            {
                ["phone"] = lead.Phone,
                ["hubspot_owner_id"] = lead.OwnerId,
                ["smarketing_mql_score"] = lead.MqlScore.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["smarketing_last_interesting_moment"] = lead.LastInterestingMoment,
                ["industry"] = lead.Industry,
                ["country"] = lead.Country,
                ["smarketing_lead_id"] = lead.ExternalId,
                ["lifecyclestage"] = "salesqualifiedlead",
            },
        }),
    };

    private static void AssertUpsertRequest(RecordedRequest request, CrmLeadUpsert lead)
    {
        Assert.Equal(("POST", "/crm/v3/objects/contacts/batch/upsert"), (request.Method, request.Path));
        Assert.Equal("Bearer " + FakeHubSpot.AccessToken, request.Header("Authorization"));
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.True(JsonNode.DeepEquals(ExpectedBody(lead), request.Json), request.Body);
    }

    [Fact]
    public async Task UpsertLead_NewContact_OneBatchUpsertByEmailWithMappedProperties()
    {
        using var host = CreateHost();
        var lead = Lead();

        var result = await host.Get<HubSpotCrmClient>().UpsertLeadAsync(lead, CancellationToken.None);

        AssertUpsertRequest(Assert.Single(_crm.Requests), lead);
        Assert.True(result.Created);
        var contact = _crm.ContactByEmail(lead.Email)!;
        Assert.Equal(result.RecordId, contact["hs_object_id"]!.ToString());
        Assert.Equal("salesqualifiedlead", contact["lifecyclestage"]!.ToString());
        Assert.Equal("005ADA000000001", contact["hubspot_owner_id"]!.ToString());
    }

    [Fact]
    public async Task UpsertLead_ExistingContact_SameRequestUpdatesTheOneContact()
    {
        using var host = CreateHost();
        var client = host.Get<HubSpotCrmClient>();
        var first = await client.UpsertLeadAsync(Lead(), CancellationToken.None);

        var update = Lead() with { MqlScore = 95 };
        var second = await client.UpsertLeadAsync(update, CancellationToken.None);

        Assert.Equal(2, _crm.Requests.Count);
        AssertUpsertRequest(_crm.Requests[1], update);
        Assert.Equal("95", _crm.ContactByEmail(update.Email)!["smarketing_mql_score"]!.ToString());
        Assert.False(second.Created);
        Assert.Equal(first.RecordId, second.RecordId);
        Assert.Equal(1, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLead_AlreadyUpsertedAndStillThere_OneUpsertWithoutOwnerAndStage()
    {
        using var host = CreateHost();
        var client = host.Get<HubSpotCrmClient>();
        var first = await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        _crm.ChangeAsRep("lead-hs-1", "ada@example.com", "owner-grace", "opportunity");

        var retry = await client.UpsertLeadAsync(Lead() with { AlreadyUpserted = true }, CancellationToken.None);

        Assert.Equal(2, _crm.Requests.Count);
        var expected = ExpectedBody(Lead());
        var properties = (JsonObject)expected["inputs"]![0]!["properties"]!;
        properties.Remove("hubspot_owner_id");
        properties.Remove("lifecyclestage");
        Assert.True(JsonNode.DeepEquals(expected, _crm.Requests[1].Json), _crm.Requests[1].Body);
        Assert.Equal((first.RecordId, false), (retry.RecordId, retry.Created));
        Assert.Equal(new CrmRecordView(first.RecordId, "owner-grace", "opportunity"), _crm.RecordOf("lead-hs-1", "ada@example.com"));
    }

    [Fact]
    public async Task UpsertLead_AlreadyUpsertedButDeleted_NewContactThenOwnerAndStagePatched()
    {
        using var host = CreateHost();
        var client = host.Get<HubSpotCrmClient>();
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        _crm.Delete("lead-hs-1", "ada@example.com");

        var retry = await client.UpsertLeadAsync(Lead() with { AlreadyUpserted = true }, CancellationToken.None);

        var requests = _crm.Requests.Skip(1).ToList();
        Assert.Equal(["POST", "PATCH"], requests.Select(r => r.Method));
        Assert.Equal("/crm/v3/objects/contacts/" + retry.RecordId, requests[1].Path);
        var patch = new JsonObject { ["properties"] = new JsonObject { ["hubspot_owner_id"] = "005ADA000000001", ["lifecyclestage"] = "salesqualifiedlead" } };
        Assert.True(JsonNode.DeepEquals(patch, requests[1].Json), requests[1].Body);
        Assert.True(retry.Created);
        Assert.Equal(new CrmRecordView(retry.RecordId, "005ADA000000001", "salesqualifiedlead"), _crm.RecordOf("lead-hs-1", "ada@example.com"));
    }

    [Fact]
    public async Task UpsertLead_RateLimitedWithRetryAfter2_NextAttemptAtLeast2sLater()
    {
        using var host = CreateHost();
        _crm.Faults.Enqueue(FakeHubSpot.RateLimited(retryAfterSeconds: 2));

        var result = await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        var attempts = _crm.ApiRequests;
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].ReceivedAt - attempts[0].ReceivedAt >= TimeSpan.FromSeconds(2), $"second attempt {(attempts[1].ReceivedAt - attempts[0].ReceivedAt).TotalMilliseconds} ms after the 429");
        Assert.True(result.Created);
        Assert.Equal(1, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLead_RetryAfterLongerThanAnInvocationMayWait_TransientForTheNextDelivery()
    {
        using var host = CreateHost();
        _crm.Faults.Enqueue(FakeHubSpot.RateLimited(retryAfterSeconds: 3600));

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Equal(429, failure.StatusCode);
        Assert.Equal(CrmCondition.Throttled, failure.Condition);
        Assert.Equal(TimeSpan.FromHours(1), failure.RetryAfter);
        Assert.Single(_crm.ApiRequests);
    }

    [Fact]
    public async Task UpsertLead_ContactAtLaterStage_StageClearedThenSetInSeparateRequests()
    {
        using var host = CreateHost();
        var id = _crm.Seed("ada@example.com", new Dictionary<string, string> { ["lifecyclestage"] = "other", ["lastname"] = "Lovelace" });

        var result = await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        var requests = _crm.Requests;
        Assert.Equal(3, requests.Count);
        AssertUpsertRequest(requests[0], Lead());
        Assert.Equal(("PATCH", $"/crm/v3/objects/contacts/{id}"), (requests[1].Method, requests[1].Path));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["properties"] = new JsonObject { ["lifecyclestage"] = "" } }, requests[1].Json), requests[1].Body);
        Assert.Equal(("PATCH", $"/crm/v3/objects/contacts/{id}"), (requests[2].Method, requests[2].Path));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["properties"] = new JsonObject { ["lifecyclestage"] = "salesqualifiedlead" } }, requests[2].Json), requests[2].Body);
        Assert.False(result.Created);
        var contact = _crm.ContactByEmail("ada@example.com")!;
        Assert.Equal("salesqualifiedlead", contact["lifecyclestage"]!.ToString());
        Assert.Equal("Lovelace", contact["lastname"]!.ToString());
    }

    [Fact]
    public async Task UpsertLead_CustomerContact_ProtectedStageLeftAlone()
    {
        using var host = CreateHost();
        _crm.Seed("ada@example.com", new Dictionary<string, string> { ["lifecyclestage"] = "customer" });

        await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        Assert.Single(_crm.Requests);
        Assert.Equal("customer", _crm.ContactByEmail("ada@example.com")!["lifecyclestage"]!.ToString());
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("protected lifecycle stage customer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpsertLead_UnknownProperty_PermanentWithHubSpotMessageNotRetried()
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:HubSpot:Properties:Campaign"] = "utm_campaign_name" });

        var failure = await Assert.ThrowsAsync<CrmPermanentException>(() => host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Contains("VALIDATION_ERROR", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Property \\\"utm_campaign_name\\\" does not exist", failure.Message, StringComparison.Ordinal);
        Assert.Single(_crm.ApiRequests);
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLead_InvalidEmail_PermanentWithoutTheAddress()
    {
        using var host = CreateHost();

        var failure = await Assert.ThrowsAsync<CrmPermanentException>(() => host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead("ada-at-example"), CancellationToken.None));

        Assert.Contains("INVALID_EMAIL", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ada-at-example", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertLead_WrongToken_CredentialsRefusedNamingTheSetting()
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:HubSpot:AccessToken"] = "pat-na1-revoked" });

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        // A refused token refuses every lead alike: a state of the CRM the handoffs wait out, not a per-lead dead letter.
        Assert.Equal(CrmCondition.CredentialsRefused, failure.Condition);
        Assert.Equal(401, failure.StatusCode);
        Assert.Contains("HTTP 401 INVALID_AUTHENTICATION", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Crm:HubSpot:AccessToken", failure.Message, StringComparison.Ordinal);
        Assert.Single(_crm.Requests);
    }

    [Theory]
    [InlineData(500, CrmCondition.Down)]
    [InlineData(503, CrmCondition.Down)]
    [InlineData(403, CrmCondition.CredentialsRefused)]
    public async Task UpsertLead_CrmWideFailure_TransientWithItsCondition(int status, CrmCondition expected)
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:Resilience:MaxRetries"] = "0" });
        _crm.Faults.Enqueue(new Fault(status, "{\"status\":\"error\",\"message\":\"no\",\"category\":\"X\"}"));

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Equal(expected, failure.Condition);
        Assert.Equal(status, failure.StatusCode);
    }

    [Fact]
    public async Task UpsertLead_CrmUnreachable_TransientDown()
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:HubSpot:BaseUrl"] = "http://127.0.0.1:1", ["Crm:Resilience:MaxRetries"] = "0" });

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Equal(CrmCondition.Down, failure.Condition);
        Assert.Null(failure.StatusCode);
    }

    [Fact]
    public async Task Logs_AfterUpsertAndRefusal_HoldNoEmailPhoneOrToken()
    {
        using var host = CreateHost();
        var client = host.Get<HubSpotCrmClient>();
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        _crm.Faults.Enqueue(FakeHubSpot.ValidationError("Property values were not valid: email ada@example.com, phone 555-123-4567"));
        await Assert.ThrowsAsync<CrmPermanentException>(() => client.UpsertLeadAsync(Lead(), CancellationToken.None));

        var text = string.Join('\n', host.Logs.Entries.Select(e => e.Message));
        Assert.Contains("HubSpot upserted lead lead-hs-1", text, StringComparison.Ordinal);
        foreach (var secret in new[] { "ada@example.com", "555-123-4567", FakeHubSpot.AccessToken })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }
}
