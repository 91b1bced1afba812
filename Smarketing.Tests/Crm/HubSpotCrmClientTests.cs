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

    private static JsonObject ExpectedBody(CrmLeadUpsert lead, bool created = true)
    {
        var properties = new JsonObject();
        if (created)
        {
            properties["email"] = lead.Email;
        }

        properties["phone"] = lead.Phone;
        properties["hubspot_owner_id"] = lead.OwnerId;
        properties["smarketing_mql_score"] = lead.MqlScore.ToString(System.Globalization.CultureInfo.InvariantCulture);
        properties["smarketing_last_interesting_moment"] = lead.LastInterestingMoment;
        properties["industry"] = lead.Industry;
        properties["country"] = lead.Country;
        properties["smarketing_lead_id"] = lead.ExternalId;
        properties["lifecyclestage"] = "salesqualifiedlead";
        return new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["idProperty"] = "smarketing_lead_id",
                ["id"] = lead.ExternalId,
                ["properties"] = properties,
            }),
        };
    }

    private static void AssertReadByLeadId(RecordedRequest request, CrmLeadUpsert lead)
    {
        Assert.Equal(("GET", "/crm/v3/objects/contacts/" + lead.ExternalId), (request.Method, request.Path));
        Assert.Equal("?idProperty=smarketing_lead_id&properties=lifecyclestage", request.Query);
        Assert.Equal("Bearer " + FakeHubSpot.AccessToken, request.Header("Authorization"));
    }

    private static void AssertUpsertRequest(RecordedRequest request, JsonObject expected)
    {
        Assert.Equal(("POST", "/crm/v3/objects/contacts/batch/upsert"), (request.Method, request.Path));
        Assert.Equal("Bearer " + FakeHubSpot.AccessToken, request.Header("Authorization"));
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.True(JsonNode.DeepEquals(expected, request.Json), request.Body);
    }

    [Fact]
    public async Task UpsertLead_NewContact_ReadByLeadIdThenOneBatchUpsertByLeadIdWithEmail()
    {
        using var host = CreateHost();
        var lead = Lead();

        var result = await host.Get<HubSpotCrmClient>().UpsertLeadAsync(lead, CancellationToken.None);

        Assert.Equal(2, _crm.Requests.Count);
        AssertReadByLeadId(_crm.Requests[0], lead);
        AssertUpsertRequest(_crm.Requests[1], ExpectedBody(lead));
        Assert.True(result.Created);
        var contact = _crm.ContactByLeadId(lead.ExternalId)!;
        Assert.Equal(result.RecordId, contact["hs_object_id"]!.ToString());
        Assert.Equal(lead.Email, contact["email"]!.ToString());
        Assert.Equal("salesqualifiedlead", contact["lifecyclestage"]!.ToString());
        Assert.Equal("005ADA000000001", contact["hubspot_owner_id"]!.ToString());
    }

    [Fact]
    public async Task UpsertLead_ExistingContact_UpdatesTheOneContactWithoutTheAddress()
    {
        using var host = CreateHost();
        var client = host.Get<HubSpotCrmClient>();
        var first = await client.UpsertLeadAsync(Lead(), CancellationToken.None);

        var update = Lead() with { MqlScore = 95 };
        var second = await client.UpsertLeadAsync(update, CancellationToken.None);

        Assert.Equal(4, _crm.Requests.Count);
        AssertReadByLeadId(_crm.Requests[2], update);
        var expected = ExpectedBody(update, created: false);
        ((JsonObject)expected["inputs"]![0]!["properties"]!).Remove("lifecyclestage");
        AssertUpsertRequest(_crm.Requests[3], expected);
        Assert.Equal("95", _crm.ContactByLeadId(update.ExternalId)!["smarketing_mql_score"]!.ToString());
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
        _crm.ChangeAsRep("lead-hs-1", "ada@example.com", "owner-grace", "lead");

        var retry = await client.UpsertLeadAsync(Lead() with { AlreadyUpserted = true }, CancellationToken.None);

        Assert.Equal(4, _crm.Requests.Count);
        var expected = ExpectedBody(Lead(), created: false);
        var properties = (JsonObject)expected["inputs"]![0]!["properties"]!;
        properties.Remove("hubspot_owner_id");
        properties.Remove("lifecyclestage");
        AssertUpsertRequest(_crm.Requests[3], expected);
        Assert.Equal((first.RecordId, false), (retry.RecordId, retry.Created));
        Assert.Equal(new CrmRecordView(first.RecordId, "owner-grace", "lead"), _crm.RecordOf("lead-hs-1", "ada@example.com"));
    }

    [Fact]
    public async Task UpsertLead_AlreadyUpsertedButDeleted_CreatedAgainWithOwnerAndStage()
    {
        using var host = CreateHost();
        var client = host.Get<HubSpotCrmClient>();
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        _crm.Delete("lead-hs-1", "ada@example.com");

        var retry = await client.UpsertLeadAsync(Lead() with { AlreadyUpserted = true }, CancellationToken.None);

        var requests = _crm.Requests.Skip(2).ToList();
        Assert.Equal(["GET", "POST"], requests.Select(r => r.Method));
        AssertUpsertRequest(requests[1], ExpectedBody(Lead()));
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
        Assert.Equal(3, attempts.Count);
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

    [Theory]
    [InlineData("opportunity", false)]
    [InlineData("opportunity", true)]
    [InlineData("customer", false)]
    [InlineData("customer", true)]
    public async Task UpsertLead_ContactAtLaterStage_NeverMovedBack(string stage, bool hubSpotAllowsBackwardMoves)
    {
        using var host = CreateHost();
        _crm.AllowsBackwardStages = hubSpotAllowsBackwardMoves;
        var id = _crm.Seed("ada@example.com", new Dictionary<string, string> { ["smarketing_lead_id"] = "lead-hs-1", ["lifecyclestage"] = stage });

        var result = await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        Assert.Equal((id, false), (result.RecordId, result.Created));
        Assert.Equal(stage, _crm.ContactByLeadId("lead-hs-1")!["lifecyclestage"]!.ToString());
        Assert.DoesNotContain(_crm.Requests, r => r.Body.Contains("lifecyclestage", StringComparison.Ordinal));
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains($"lifecycle stage {stage}, which is not before salesqualifiedlead", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpsertLead_ContactAtEarlierStage_MovedForwardInTheUpsert()
    {
        using var host = CreateHost();
        _crm.Seed("ada@example.com", new Dictionary<string, string> { ["smarketing_lead_id"] = "lead-hs-1", ["lifecyclestage"] = "marketingqualifiedlead", ["lastname"] = "Lovelace" });

        await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        Assert.Equal(["GET", "POST"], _crm.Requests.Select(r => r.Method));
        AssertUpsertRequest(_crm.Requests[1], ExpectedBody(Lead(), created: false));
        var contact = _crm.ContactByLeadId("lead-hs-1")!;
        Assert.Equal("salesqualifiedlead", contact["lifecyclestage"]!.ToString());
        Assert.Equal("Lovelace", contact["lastname"]!.ToString());
    }

    [Fact]
    public async Task UpsertLead_ContactAtStageOutsideTheOrder_LeftWhereItIs()
    {
        using var host = CreateHost();
        _crm.Seed("ada@example.com", new Dictionary<string, string> { ["smarketing_lead_id"] = "lead-hs-1", ["lifecyclestage"] = "other" });

        await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        Assert.Equal("other", _crm.ContactByLeadId("lead-hs-1")!["lifecyclestage"]!.ToString());
        Assert.DoesNotContain(_crm.Requests, r => r.Body.Contains("lifecyclestage", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpsertLead_OtherListedFirstInTheOrder_RecycledContactMovedForward()
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:HubSpot:LifecycleStageOrder"] = "other," + HubSpotOptions.DefaultLifecycleStageOrder });
        _crm.AllowsBackwardStages = true;
        _crm.Seed("ada@example.com", new Dictionary<string, string> { ["smarketing_lead_id"] = "lead-hs-1", ["lifecyclestage"] = "other" });

        await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        Assert.Equal("salesqualifiedlead", _crm.ContactByLeadId("lead-hs-1")!["lifecyclestage"]!.ToString());
    }

    [Fact]
    public async Task UpsertLead_ChangedEmail_SameContactUpdatedAndItsAddressKept()
    {
        using var host = CreateHost();
        var client = host.Get<HubSpotCrmClient>();
        var first = await client.UpsertLeadAsync(Lead("ada@example.com"), CancellationToken.None);

        var second = await client.UpsertLeadAsync(Lead("ada.lovelace@example.org") with { MqlScore = 90 }, CancellationToken.None);

        Assert.Equal((first.RecordId, false), (second.RecordId, second.Created));
        var contact = Assert.Single(_crm.Contacts());
        Assert.Equal(("lead-hs-1", "90"), (contact["smarketing_lead_id"]!.ToString(), contact["smarketing_mql_score"]!.ToString()));
        Assert.Equal("ada@example.com", contact["email"]!.ToString());
    }

    [Fact]
    public async Task UpsertLead_TwoLeadsOneAddress_SecondRefusedNamingTheFirstNeverMerged()
    {
        using var host = CreateHost();
        var client = host.Get<HubSpotCrmClient>();
        var first = await client.UpsertLeadAsync(SalesforceCrmClientTests.Lead("lead-hs-1"), CancellationToken.None);

        var failure = await Assert.ThrowsAsync<CrmPermanentException>(() => client.UpsertLeadAsync(SalesforceCrmClientTests.Lead("lead-hs-2") with { OwnerId = "owner-grace" }, CancellationToken.None));

        Assert.Contains($"HubSpot contact {first.RecordId} already has the e-mail address of lead 'lead-hs-2' and belongs to lead 'lead-hs-1'", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", failure.Message, StringComparison.Ordinal);
        var contact = Assert.Single(_crm.Contacts());
        Assert.Equal(("lead-hs-1", "005ADA000000001"), (contact["smarketing_lead_id"]!.ToString(), contact["hubspot_owner_id"]!.ToString()));
        Assert.DoesNotContain(_crm.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task UpsertLead_AddressOnAContactWithoutLeadId_ThatContactBecomesTheLeads()
    {
        using var host = CreateHost();
        var id = _crm.Seed("ada@example.com", new Dictionary<string, string> { ["lastname"] = "Lovelace", ["lifecyclestage"] = "lead" });

        var result = await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        Assert.Equal((id, false), (result.RecordId, result.Created));
        Assert.Equal(["GET", "POST", "GET", "PATCH"], _crm.Requests.Select(r => r.Method));
        Assert.Equal("/crm/v3/objects/contacts/" + id, _crm.Requests[3].Path);
        Assert.DoesNotContain("email", _crm.Requests[3].Json!["properties"]!.AsObject().Select(p => p.Key));
        var contact = Assert.Single(_crm.Contacts());
        Assert.Equal(
            ("lead-hs-1", "Lovelace", "salesqualifiedlead", "005ADA000000001"),
            (contact["smarketing_lead_id"]!.ToString(), contact["lastname"]!.ToString(), contact["lifecyclestage"]!.ToString(), contact["hubspot_owner_id"]!.ToString()));

        // The next handoff of the lead finds the contact by its lead id.
        var again = await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);
        Assert.Equal(id, again.RecordId);
        Assert.Single(_crm.Contacts());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UpsertLead_LeadIdPropertyMissingOrNotUnique_MisconfiguredNamingThePropertyAndTheSetUp(bool exists)
    {
        using var host = CreateHost();
        _crm.UniqueProperties.Remove("smarketing_lead_id");
        if (!exists)
        {
            _crm.KnownProperties.Remove("smarketing_lead_id");
        }

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        // Every lead alike: a state of the CRM the handoffs wait out (and resume after), not a dead letter per lead.
        Assert.Equal(CrmCondition.Misconfigured, failure.Condition);
        Assert.Equal(400, failure.StatusCode);
        Assert.Contains("HubSpot cannot key contacts on the property 'smarketing_lead_id'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("hasUniqueValue: true, see docs/crm-hubspot.md", failure.Message, StringComparison.Ordinal);
        Assert.Single(_crm.ApiRequests);
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLead_UnknownProperty_PermanentWithHubSpotMessageNotRetried()
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:HubSpot:Properties:Campaign"] = "utm_campaign_name" });

        var failure = await Assert.ThrowsAsync<CrmPermanentException>(() => host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Contains("VALIDATION_ERROR", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Property \\\"utm_campaign_name\\\" does not exist", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, _crm.ApiRequests.Count);
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
