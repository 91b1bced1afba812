using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Handoff.HubSpot;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// The HubSpot batch upsert of the batched handoff, built by the app's composition root, against a fake HubSpot on
/// 127.0.0.1 that holds HubSpot's limits (100 inputs per batch, 190 requests per 10 s, per-record errors).
/// </summary>
public sealed class HubSpotBatchUpsertTests : IAsyncLifetime
{
    private FakeHubSpot _crm = null!;

    public async Task InitializeAsync() => _crm = await FakeHubSpot.StartNewAsync();

    public async Task DisposeAsync() => await _crm.DisposeAsync();

    private static CrmLeadUpsert Lead(int n) => new()
    {
        ExternalId = $"lead-b-{n:D3}",
        Email = $"person{n}@example.com",
        Phone = $"555-010-{n:D4}",
        LeadStatus = "SAL",
        OwnerId = "005ADA000000001",
        MqlScore = 80,
        LastInterestingMoment = "viewedPricingPage",
        Industry = "SaaS",
        Country = "DE",
    };

    private static List<CrmLeadUpsert> Leads(int count) => [.. Enumerable.Range(1, count).Select(Lead)];

    private CrmTestHost CreateHost(IDictionary<string, string?>? extra = null) => CrmTestHost.Create(CrmTestSettings.For(_crm, extra));

    private static IBatchCrmClient Batch(CrmTestHost host) => host.Services.GetRequiredKeyedService<IBatchCrmClient>(HubSpotCrmClient.ProviderName);

    private static Dictionary<string, CrmBatchOutcome> ById(IReadOnlyList<CrmBatchOutcome> outcomes) => outcomes.ToDictionary(o => o.ExternalId, StringComparer.Ordinal);

    [Fact]
    public void Registration_KeyedBatchClientIsTheHubSpotClientSingleton()
    {
        using var host = CreateHost();

        var batch = Batch(host);

        Assert.Same(host.Get<HubSpotCrmClient>(), batch);
        Assert.Equal((HubSpotCrmClient.ProviderName, 100), (batch.Provider, batch.MaxBatchSize));

        // The batched handoff's client (the one Crm:Provider names) is HubSpot's own batch API, not one lead at a time.
        Assert.Same(batch, host.Get<IBatchCrmClient>());
    }

    [Fact]
    public async Task UpsertLeads_100NewLeads_OneRequestAllCreatedWithTheirContactIds()
    {
        using var host = CreateHost();
        var leads = Leads(100);

        var outcomes = await Batch(host).UpsertLeadsAsync(leads, CancellationToken.None);

        var request = Assert.Single(_crm.ApiRequests);
        Assert.Equal(("POST", "/crm/v3/objects/contacts/batch/upsert"), (request.Method, request.Path));
        Assert.Equal("Bearer " + FakeHubSpot.AccessToken, request.Header("Authorization"));
        var inputs = request.Json!["inputs"]!.AsArray();
        Assert.Equal(100, inputs.Count);
        var first = inputs[0]!;
        Assert.Equal(("smarketing_lead_id", "lead-b-001"), (first["idProperty"]!.ToString(), first["id"]!.ToString()));
        var expected = new JsonObject
        {
            ["email"] = "person1@example.com",
            ["phone"] = "555-010-0001",
            ["hubspot_owner_id"] = "005ADA000000001",
            ["smarketing_mql_score"] = "80",
            ["smarketing_last_interesting_moment"] = "viewedPricingPage",
            ["industry"] = "SaaS",
            ["country"] = "DE",
            ["smarketing_lead_id"] = "lead-b-001",
            ["lifecyclestage"] = "salesqualifiedlead",
        };
        Assert.True(JsonNode.DeepEquals(expected, first["properties"]), first.ToJsonString());

        Assert.Equal(leads.Select(l => l.ExternalId), outcomes.Select(o => o.ExternalId));
        Assert.All(outcomes, o => Assert.Equal((CrmBatchOutcomeKind.Succeeded, true), (o.Kind, o.Created)));
        Assert.Equal(100, _crm.RecordCount);
        foreach (var outcome in outcomes)
        {
            Assert.Equal(_crm.ContactByLeadId(outcome.ExternalId)!["hs_object_id"]!.ToString(), outcome.RecordId);
        }

        Assert.Equal(100, outcomes.Select(o => o.RecordId).Distinct().Count());
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("HubSpot batch upsert of 100 leads: 100 succeeded (100 created), 0 refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpsertLeads_101Leads_ArgumentExceptionAndNothingSent()
    {
        using var host = CreateHost();

        var failure = await Assert.ThrowsAsync<ArgumentException>(() => Batch(host).UpsertLeadsAsync(Leads(101), CancellationToken.None));

        Assert.Contains("at most 100", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_crm.Requests);
    }

    [Fact]
    public async Task UpsertLeads_SameLeadTwice_ArgumentExceptionAndNothingSent()
    {
        using var host = CreateHost();
        var leads = Leads(3);
        leads.Add(Lead(2) with { ExternalId = "LEAD-B-002" });

        await Assert.ThrowsAsync<ArgumentException>(() => Batch(host).UpsertLeadsAsync(leads, CancellationToken.None));

        Assert.Empty(_crm.Requests);
    }

    [Fact]
    public async Task UpsertLeads_HubSpotRefusesTwoOf100_ExactlyThoseRefusedWithReasonsWithoutContactData()
    {
        using var host = CreateHost();
        _crm.RefusedLeadIds.UnionWith(["lead-b-017", "lead-b-063"]);

        var outcomes = ById(await Batch(host).UpsertLeadsAsync(Leads(100), CancellationToken.None));

        Assert.Single(_crm.ApiRequests);
        var refused = outcomes.Values.Where(o => o.Kind == CrmBatchOutcomeKind.Refused).OrderBy(o => o.ExternalId, StringComparer.Ordinal).ToList();
        Assert.Equal(["lead-b-017", "lead-b-063"], refused.Select(o => o.ExternalId));
        foreach (var (outcome, n) in refused.Zip([17, 63]))
        {
            Assert.Contains($"HubSpot refused contact of lead 'lead-b-{n:D3}' (VALIDATION_ERROR)", outcome.Reason, StringComparison.Ordinal);
            Assert.Contains("must be in E.164 format", outcome.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain($"person{n}@example.com", outcome.Reason, StringComparison.Ordinal);
            Assert.Null(outcome.RecordId);
            Assert.Null(_crm.ContactByLeadId(outcome.ExternalId));
        }

        Assert.Equal(98, outcomes.Values.Count(o => o.Kind == CrmBatchOutcomeKind.Succeeded));
        Assert.Equal(98, _crm.RecordCount);
        Assert.All(outcomes.Values.Where(o => o.Kind == CrmBatchOutcomeKind.Succeeded), o => Assert.NotNull(_crm.ContactByLeadId(o.ExternalId)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task UpsertLeads_AddressHeldByAnotherContact_ThatLeadHandedOffAloneOthersWritten(int batchSize)
    {
        using var host = CreateHost();
        var holder = _crm.Seed("person1@example.com", new Dictionary<string, string> { ["lastname"] = "Lovelace" });

        var outcomes = ById(await Batch(host).UpsertLeadsAsync(Leads(batchSize), CancellationToken.None));

        var alone = outcomes["lead-b-001"];
        Assert.Equal(CrmBatchOutcomeKind.HandOffAlone, alone.Kind);
        Assert.Contains($"HubSpot contact {holder} already has the e-mail address of lead 'lead-b-001'", alone.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("person1@example.com", alone.Reason, StringComparison.Ordinal);
        Assert.All(outcomes.Values.Where(o => o.ExternalId != "lead-b-001"), o => Assert.Equal(CrmBatchOutcomeKind.Succeeded, o.Kind));
        Assert.Single(_crm.ApiRequests);
        Assert.Equal(batchSize, _crm.RecordCount);
        var seeded = _crm.Contacts().Single(c => c["hs_object_id"]!.ToString() == holder);
        Assert.Null(seeded["smarketing_lead_id"]);

        // The one-lead path then takes the contact over, as it does for a webhook lead.
        var alone1 = await host.Get<HubSpotCrmClient>().UpsertLeadAsync(Lead(1), CancellationToken.None);
        Assert.Equal((holder, false), (alone1.RecordId, alone1.Created));
    }

    [Fact]
    public async Task UpsertLeads_SameBatchAgain_UpdatesTheSameContactsNoDuplicates()
    {
        using var host = CreateHost();
        var batch = Batch(host);
        var first = ById(await batch.UpsertLeadsAsync(Leads(100), CancellationToken.None));

        var again = await batch.UpsertLeadsAsync([.. Leads(100).Select(l => l with { MqlScore = 95 })], CancellationToken.None);

        Assert.Equal(2, _crm.ApiRequests.Count);
        Assert.All(again, o => Assert.Equal((CrmBatchOutcomeKind.Succeeded, false, first[o.ExternalId].RecordId), (o.Kind, o.Created, o.RecordId)));
        Assert.Equal(100, _crm.RecordCount);
        Assert.All(_crm.Contacts(), c => Assert.Equal("95", c["smarketing_mql_score"]!.ToString()));
    }

    [Fact]
    public async Task UpsertLeads_AlreadyUpserted_OwnerAndStageLeftOutAndARecreatedContactGetsThem()
    {
        using var host = CreateHost();
        var batch = Batch(host);
        await batch.UpsertLeadsAsync(Leads(3), CancellationToken.None);
        _crm.ChangeAsRep("lead-b-001", "person1@example.com", "owner-grace", "lead");
        _crm.Delete("lead-b-002", "person2@example.com");

        var retry = ById(await batch.UpsertLeadsAsync([.. Leads(3).Select(l => l with { AlreadyUpserted = true })], CancellationToken.None));

        // The rep's owner and stage stand; the deleted contact is created again, then given owner and stage.
        Assert.Equal(new CrmRecordView(retry["lead-b-001"].RecordId!, "owner-grace", "lead"), _crm.RecordOf("lead-b-001", "person1@example.com"));
        Assert.True(retry["lead-b-002"].Created);
        Assert.Equal(new CrmRecordView(retry["lead-b-002"].RecordId!, "005ADA000000001", "salesqualifiedlead"), _crm.RecordOf("lead-b-002", "person2@example.com"));
        var upserts = _crm.ApiRequests.Skip(1).ToList();
        Assert.Equal(2, upserts.Count);
        Assert.All(upserts[0].Json!["inputs"]!.AsArray(), i => Assert.Null(i!["properties"]!["hubspot_owner_id"]));
        Assert.Equal(["lead-b-002"], upserts[1].Json!["inputs"]!.AsArray().Select(i => i!["id"]!.ToString()));
        Assert.All(retry.Values, o => Assert.Equal(CrmBatchOutcomeKind.Succeeded, o.Kind));
    }

    [Theory]
    [InlineData(false, "salesqualifiedlead")]
    [InlineData(true, "customer")]
    public async Task UpsertLeads_PortalTakingBackwardStages_MovedBackUnlessBatchReadFirst(bool readFirst, string expectedStage)
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:HubSpot:BatchReadFirst"] = readFirst ? "true" : "false" });
        _crm.AllowsBackwardStages = true;
        var id = _crm.Seed("person1@example.com", new Dictionary<string, string> { ["smarketing_lead_id"] = "lead-b-001", ["lifecyclestage"] = "customer" });

        var outcomes = ById(await Batch(host).UpsertLeadsAsync(Leads(2), CancellationToken.None));

        Assert.Equal((CrmBatchOutcomeKind.Succeeded, id, false), (outcomes["lead-b-001"].Kind, outcomes["lead-b-001"].RecordId, outcomes["lead-b-001"].Created));
        Assert.True(outcomes["lead-b-002"].Created);
        Assert.Equal(expectedStage, _crm.ContactByLeadId("lead-b-001")!["lifecyclestage"]!.ToString());
        var upsert = _crm.ApiRequests[^1].Json!["inputs"]!.AsArray();
        Assert.Equal(readFirst ? 2 : 1, _crm.ApiRequests.Count);
        if (readFirst)
        {
            Assert.Equal("/crm/v3/objects/contacts/batch/read", _crm.ApiRequests[0].Path);
            Assert.Equal("smarketing_lead_id", _crm.ApiRequests[0].Json!["idProperty"]!.ToString());

            // As the one-lead path: no address and no earlier stage for the existing contact; both for the new one.
            Assert.Null(upsert[0]!["properties"]!["email"]);
            Assert.Null(upsert[0]!["properties"]!["lifecyclestage"]);
            Assert.Equal(("person2@example.com", "salesqualifiedlead"), (upsert[1]!["properties"]!["email"]!.ToString(), upsert[1]!["properties"]!["lifecyclestage"]!.ToString()));
        }
    }

    [Fact]
    public async Task UpsertLeads_HubSpotDefaultStageRule_LaterStageKeptWithOneRequest()
    {
        using var host = CreateHost();
        _crm.Seed("person1@example.com", new Dictionary<string, string> { ["smarketing_lead_id"] = "lead-b-001", ["lifecyclestage"] = "opportunity" });

        var outcomes = await Batch(host).UpsertLeadsAsync(Leads(2), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(CrmBatchOutcomeKind.Succeeded, o.Kind));
        Assert.Single(_crm.ApiRequests);
        Assert.Equal("opportunity", _crm.ContactByLeadId("lead-b-001")!["lifecyclestage"]!.ToString());
    }

    [Fact]
    public async Task UpsertLeads_RateLimitWithRetryAfterBeyondWhatAnInvocationWaits_ThrottledWithRetryAfter()
    {
        using var host = CreateHost();
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T04:00:00Z", CultureInfo.InvariantCulture));
        _crm.Clock = clock;
        _crm.RateLimit = 1;
        _crm.RateWindow = TimeSpan.FromSeconds(60);
        var batch = Batch(host);
        await batch.UpsertLeadsAsync(Leads(2), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => batch.UpsertLeadsAsync([Lead(3), Lead(4)], CancellationToken.None));

        // 30 s left in the window, more than the 5 s an invocation may wait: the queue's next delivery is the retry.
        Assert.Equal((429, CrmCondition.Throttled, TimeSpan.FromSeconds(30)), (failure.StatusCode, failure.Condition, failure.RetryAfter));
        Assert.Contains("HubSpot answered HTTP 429 RATE_LIMIT for a batch of 2 leads ('lead-b-003' to 'lead-b-004')", failure.Message, StringComparison.Ordinal);
        Assert.Equal((2L, 1L), (_crm.ReceivedRequests, _crm.RateLimitedResponses));
        Assert.Equal(2, _crm.RecordCount);
    }

    [Theory]
    [InlineData(503, CrmCondition.Down)]
    [InlineData(401, CrmCondition.CredentialsRefused)]
    public async Task UpsertLeads_WholeRequestFailure_ThrowsAsTheOneLeadPath(int status, CrmCondition condition)
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:Resilience:MaxRetries"] = "0" });
        _crm.Faults.Enqueue(new Fault(status, "{\"status\":\"error\",\"message\":\"no\",\"category\":\"X\"}"));

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => Batch(host).UpsertLeadsAsync(Leads(5), CancellationToken.None));

        Assert.Equal((status, condition), (failure.StatusCode, failure.Condition));
    }

    [Fact]
    public async Task UpsertLeads_LeadIdPropertyMissing_MisconfiguredNothingWritten()
    {
        using var host = CreateHost();
        _crm.UniqueProperties.Remove("smarketing_lead_id");
        _crm.KnownProperties.Remove("smarketing_lead_id");

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => Batch(host).UpsertLeadsAsync(Leads(5), CancellationToken.None));

        Assert.Equal(CrmCondition.Misconfigured, failure.Condition);
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLeads_ALeadMissingFromResultsAndErrors_Retry()
    {
        using var host = CreateHost();
        var leads = Leads(3);
        _crm.Faults.Enqueue(new Fault(200, new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = new JsonArray(
                new JsonObject { ["id"] = "901", ["new"] = true, ["properties"] = new JsonObject { ["smarketing_lead_id"] = "lead-b-001" } },
                new JsonObject { ["id"] = "903", ["new"] = false, ["properties"] = new JsonObject { ["smarketing_lead_id"] = "LEAD-B-003" } }),
        }.ToJsonString()));

        var outcomes = ById(await Batch(host).UpsertLeadsAsync(leads, CancellationToken.None));

        Assert.Equal((CrmBatchOutcomeKind.Succeeded, "901", true), (outcomes["lead-b-001"].Kind, outcomes["lead-b-001"].RecordId, outcomes["lead-b-001"].Created));
        Assert.Equal((CrmBatchOutcomeKind.Succeeded, "903", false), (outcomes["lead-b-003"].Kind, outcomes["lead-b-003"].RecordId, outcomes["lead-b-003"].Created));
        Assert.Equal(CrmBatchOutcomeKind.Retry, outcomes["lead-b-002"].Kind);
        Assert.Contains("neither in its results nor in its errors", outcomes["lead-b-002"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertLeads_OneErrorNamingTwoLeads_BothRefusedWithNeitherAddress()
    {
        using var host = CreateHost();
        _crm.Faults.Enqueue(new Fault(207, new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = new JsonArray(new JsonObject { ["id"] = "901", ["new"] = true, ["properties"] = new JsonObject { ["smarketing_lead_id"] = "lead-b-001" } }),
            ["errors"] = new JsonArray(new JsonObject
            {
                ["status"] = "error",
                ["category"] = "VALIDATION_ERROR",
                ["message"] = "Property values were not valid: person2@example.com and person3@example.com are invalid",
                ["context"] = new JsonObject { ["ids"] = new JsonArray("lead-b-002", "lead-b-003") },
            }),
        }.ToJsonString()));

        var outcomes = ById(await Batch(host).UpsertLeadsAsync(Leads(3), CancellationToken.None));

        Assert.Equal(CrmBatchOutcomeKind.Succeeded, outcomes["lead-b-001"].Kind);
        foreach (var id in new[] { "lead-b-002", "lead-b-003" })
        {
            Assert.Equal(CrmBatchOutcomeKind.Refused, outcomes[id].Kind);
            Assert.DoesNotContain("@example.com", outcomes[id].Reason, StringComparison.Ordinal);
            Assert.Contains("are invalid", outcomes[id].Reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UpsertLeads_WholeRequestRefused_NamedLeadsRefusedOthersRetriedOrAllAlone(bool namesLeads)
    {
        using var host = CreateHost();
        var body = new JsonObject { ["status"] = "error", ["category"] = "VALIDATION_ERROR", ["message"] = "Property values were not valid" };
        if (namesLeads)
        {
            body["context"] = new JsonObject { ["ids"] = new JsonArray("lead-b-002") };
        }

        _crm.Faults.Enqueue(new Fault(400, body.ToJsonString()));

        var outcomes = ById(await Batch(host).UpsertLeadsAsync(Leads(3), CancellationToken.None));

        // Never 3 dead letters for one bad lead: the named one is refused, or each goes alone where the one-lead path finds it.
        var expected = namesLeads
            ? new[] { CrmBatchOutcomeKind.Retry, CrmBatchOutcomeKind.Refused, CrmBatchOutcomeKind.Retry }
            : [CrmBatchOutcomeKind.HandOffAlone, CrmBatchOutcomeKind.HandOffAlone, CrmBatchOutcomeKind.HandOffAlone];
        Assert.Equal(expected, Leads(3).Select(l => outcomes[l.ExternalId].Kind));
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task FakeHubSpot_200QuickReads_429WithRetryAfterFromThe191st()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T04:00:00Z", CultureInfo.InvariantCulture));
        _crm.Clock = clock;
        using var http = new HttpClient { BaseAddress = _crm.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FakeHubSpot.AccessToken);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 200; i++)
        {
            last?.Dispose();
            last = await http.GetAsync(new Uri($"crm/v3/objects/contacts/lead-{i}?idProperty=smarketing_lead_id", UriKind.Relative));
            statuses.Add(last.StatusCode);
        }

        Assert.All(statuses.Take(190), s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.All(statuses.Skip(190), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        var body = JsonNode.Parse(await last!.Content.ReadAsStringAsync())!;
        Assert.Equal(("RATE_LIMIT", "TEN_SECONDLY_ROLLING"), (body["errorType"]!.ToString(), body["policyName"]!.ToString()));
        Assert.Equal("You have reached your ten_secondly_rolling limit.", body["message"]!.ToString());

        // All within one instant of the fake's clock: the first leaves the window 10 s later.
        Assert.Equal(TimeSpan.FromSeconds(10), last.Headers.RetryAfter!.Delta);
        last.Dispose();
        Assert.Equal((200L, 10L, 200), (_crm.ReceivedRequests, _crm.RateLimitedResponses, _crm.MaxRequestsInWindow));

        clock.Advance(TimeSpan.FromSeconds(10));
        using var after = await http.GetAsync(new Uri("crm/v3/objects/contacts/lead-x?idProperty=smarketing_lead_id", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task FakeHubSpot_BatchOf101_RefusedWithTheLimit()
    {
        using var http = new HttpClient { BaseAddress = _crm.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FakeHubSpot.AccessToken);
        var inputs = new JsonArray([.. Enumerable.Range(1, 101).Select(i => (JsonNode)new JsonObject
        {
            ["idProperty"] = "smarketing_lead_id",
            ["id"] = $"lead-{i}",
            ["properties"] = new JsonObject { ["smarketing_lead_id"] = $"lead-{i}" },
        })]);

        using var content = new StringContent(new JsonObject { ["inputs"] = inputs }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("crm/v3/objects/contacts/batch/upsert", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("VALIDATION_ERROR", body["category"]!.ToString());
        Assert.Contains("limit 100", body["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _crm.RecordCount);
    }
}
