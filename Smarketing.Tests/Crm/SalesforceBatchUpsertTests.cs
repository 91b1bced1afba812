using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Handoff.Salesforce;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// The batched handoff's Salesforce client (sObject Collections upsert), built by the app's composition root, against a
/// fake Salesforce on 127.0.0.1 that enforces the collections limits.
/// </summary>
public sealed class SalesforceBatchUpsertTests : IAsyncLifetime
{
    private const string CollectionsPath = "/services/data/v62.0/composite/sobjects/Lead/Smarketing_Lead_Id__c";

    private FakeSalesforce _crm = null!;

    public async Task InitializeAsync() => _crm = await FakeSalesforce.StartNewAsync();

    public async Task DisposeAsync() => await _crm.DisposeAsync();

    private CrmTestHost CreateHost() => CrmTestHost.Create(CrmTestSettings.For(_crm));

    private static string Id(int n) => "lead-batch-" + n.ToString("D4", CultureInfo.InvariantCulture);

    private static List<CrmLeadUpsert> Leads(int count, int from = 0) =>
        [.. Enumerable.Range(from, count).Select(n => SalesforceCrmClientTests.Lead(Id(n), $"person{n}@example.com") with { Phone = $"555-010-{n:D4}" })];

    private List<RecordedRequest> Collections(int skip = 0) =>
        [.. _crm.Requests.Skip(skip).Where(r => r.Path == CollectionsPath)];

    private static List<string?> IdsIn(RecordedRequest request) =>
        [.. request.Json!["records"]!.AsArray().Select(r => r![FakeSalesforce.ExternalIdField]?.ToString())];

    [Fact]
    public async Task UpsertLeads_200NewLeadsOrgWithoutRequiredFields_TokenAndOneCollectionsRequestAllCreated()
    {
        _crm.RequiredOnCreate.Clear();
        using var host = CreateHost();
        var leads = Leads(200);

        var outcomes = await host.Get<SalesforceCrmClient>().UpsertLeadsAsync(leads, CancellationToken.None);

        Assert.Equal(["/services/oauth2/token", CollectionsPath], _crm.Requests.Select(r => r.Path));
        var patch = _crm.Requests[1];
        Assert.Equal("PATCH", patch.Method);
        Assert.Equal("FALSE", patch.Header("Sforce-Auto-Assign"));
        Assert.Equal("Bearer 00DTEST!token-1", patch.Header("Authorization"));
        Assert.False(patch.Json!["allOrNone"]!.GetValue<bool>());
        var first = patch.Json!["records"]![0]!;
        Assert.True(JsonNode.DeepEquals(
            new JsonObject
            {
                ["attributes"] = new JsonObject { ["type"] = "Lead" },
                ["Smarketing_Lead_Id__c"] = Id(0),
                ["Email"] = "person0@example.com",
                ["Phone"] = "555-010-0000",
                ["Status"] = "SAL",
                ["OwnerId"] = "005ADA000000001",
                ["MQL_Score__c"] = 80,
                ["Last_Interesting_Moment__c"] = "viewedPricingPage",
                ["Industry"] = "SaaS",
                ["NumberOfEmployees"] = 250,
                ["Country"] = "DE",
            },
            first), first.ToJsonString());
        Assert.Equal(leads.Select(l => (string?)l.ExternalId), IdsIn(patch));

        Assert.Equal(200, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal((CrmBatchOutcomeKind.Succeeded, true), (o.Kind, o.Created)));
        Assert.Equal(leads.Select(l => l.ExternalId).Order(), outcomes.Select(o => o.ExternalId).Order());
        Assert.All(outcomes, o => Assert.Equal(_crm.Lead(o.ExternalId)!["Id"]!.ToString(), o.RecordId));
        Assert.Equal(200, _crm.RecordCount);
        Assert.Equal(1, _crm.ApiRequestCount);
    }

    [Fact]
    public async Task UpsertLeads_201Leads_ArgumentExceptionAndNothingSent()
    {
        using var host = CreateHost();

        var failure = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<SalesforceCrmClient>().UpsertLeadsAsync(Leads(201), CancellationToken.None));

        Assert.Contains("at most 200", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_crm.Requests);
        Assert.Equal(200, host.Get<SalesforceCrmClient>().MaxBatchSize);
    }

    [Fact]
    public async Task UpsertLeads_SameLeadTwiceInOneBatch_ArgumentExceptionAndNothingSent()
    {
        using var host = CreateHost();
        var leads = Leads(3);
        leads.Add(leads[1] with { MqlScore = 90 });

        var failure = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<SalesforceCrmClient>().UpsertLeadsAsync(leads, CancellationToken.None));

        Assert.Contains(Id(1), failure.Message, StringComparison.Ordinal);
        Assert.Empty(_crm.Requests);
    }

    [Fact]
    public async Task Fake_CollectionOf201Records_RefusedWithExceededIdLimitAndCounted()
    {
        using var http = new HttpClient { BaseAddress = _crm.BaseAddress };
        using var token = await http.PostAsync(new Uri("/services/oauth2/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = FakeSalesforce.ClientId,
            ["client_secret"] = FakeSalesforce.ClientSecret,
        }));
        var accessToken = JsonNode.Parse(await token.Content.ReadAsStringAsync())!["access_token"]!.ToString();
        var records = new JsonArray([.. Enumerable.Range(0, 201).Select(n => (JsonNode)new JsonObject
        {
            ["attributes"] = new JsonObject { ["type"] = "Lead" },
            ["Smarketing_Lead_Id__c"] = Id(n),
            ["LastName"] = "Lovelace",
            ["Company"] = "Analytical Engines",
        })]);
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(CollectionsPath, UriKind.Relative))
        {
            Content = new StringContent(new JsonObject { ["allOrNone"] = false, ["records"] = records }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())![0]!;
        Assert.Equal("EXCEEDED_ID_LIMIT", error["errorCode"]!.ToString());
        Assert.Equal("api-usage=1/15000", response.Headers.GetValues("Sforce-Limit-Info").Single());
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLeads_TwoOf200RefusedByValidationRule_ExactlyThoseRefusedRedactedAndTheOthersStored()
    {
        using var host = CreateHost();
        var leads = Leads(200);
        _crm.RefuseLead(Id(17), "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Phone 555-010-0017 must be in E.164 format", "Phone");
        _crm.RefuseLead(Id(140), "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Email person140@example.com is on the block list", "Email");

        var outcomes = await host.Get<SalesforceCrmClient>().UpsertLeadsAsync(leads, CancellationToken.None);

        var refused = outcomes.Where(o => o.Kind == CrmBatchOutcomeKind.Refused).OrderBy(o => o.ExternalId, StringComparer.Ordinal).ToList();
        Assert.Equal([Id(17), Id(140)], refused.Select(o => o.ExternalId));
        Assert.Equal($"Salesforce refused lead '{Id(17)}': FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone [redacted] must be in E.164 format (fields: Phone)", refused[0].Reason);
        Assert.Equal($"Salesforce refused lead '{Id(140)}': FIELD_CUSTOM_VALIDATION_EXCEPTION: Email [redacted] is on the block list (fields: Email)", refused[1].Reason);
        Assert.Equal(198, outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Succeeded && o.Created));
        Assert.Equal(198, _crm.RecordCount);
        Assert.Null(_crm.Lead(Id(17)));
        Assert.Null(_crm.Lead(Id(140)));

        // The 198 new Leads needed LastName and Company: one more request for them all, none for the refused two.
        var patches = Collections();
        Assert.Equal(2, patches.Count);
        Assert.Equal(200, IdsIn(patches[0]).Count);
        Assert.Equal(leads.Select(l => (string?)l.ExternalId).Where(id => id != Id(17) && id != Id(140)), IdsIn(patches[1]));
    }

    [Fact]
    public async Task UpsertLeads_NewAndExistingLeadsNeedingLastNameAndCompany_OneExtraRequestForTheNewOnesOnly()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        var existing = Leads(100);
        await client.UpsertLeadsAsync(existing, CancellationToken.None);
        foreach (var lead in existing)
        {
            _crm.EditAsRep(lead.ExternalId, "LastName", "Lovelace");
            _crm.EditAsRep(lead.ExternalId, "Company", "Analytical Engines");
        }

        var before = _crm.Requests.Count;
        var batch = existing.Concat(Leads(100, from: 100)).Select(l => l with { MqlScore = 91 }).ToList();

        var outcomes = await client.UpsertLeadsAsync(batch, CancellationToken.None);

        var patches = Collections(before);
        Assert.Equal(2, patches.Count);
        Assert.All(patches[0].Json!["records"]!.AsArray(), r => Assert.False(r!.AsObject().ContainsKey("LastName") || r.AsObject().ContainsKey("Company")));
        Assert.Equal(Leads(100, from: 100).Select(l => (string?)l.ExternalId), IdsIn(patches[1]));
        Assert.All(patches[1].Json!["records"]!.AsArray(), r => Assert.Equal(("[not provided]", "[not provided]"), (r!["LastName"]!.ToString(), r["Company"]!.ToString())));

        Assert.All(outcomes, o => Assert.Equal(CrmBatchOutcomeKind.Succeeded, o.Kind));
        Assert.Equal(100, outcomes.Count(o => o.Created));
        Assert.All(existing, l => Assert.Equal(("Lovelace", "Analytical Engines", 91), (_crm.Lead(l.ExternalId)!["LastName"]!.ToString(), _crm.Lead(l.ExternalId)!["Company"]!.ToString(), _crm.Lead(l.ExternalId)!["MQL_Score__c"]!.GetValue<int>())));
        Assert.Equal(200, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLeads_RequiredFieldWithoutDefault_RefusedNamingTheFieldWithoutASecondRequest()
    {
        using var host = CreateHost();
        _crm.RequiredOnCreate.Add("Region__c");

        var outcomes = await host.Get<SalesforceCrmClient>().UpsertLeadsAsync(Leads(3), CancellationToken.None);

        Assert.All(outcomes, o =>
        {
            Assert.Equal(CrmBatchOutcomeKind.Refused, o.Kind);
            Assert.Contains("REQUIRED_FIELD_MISSING", o.Reason, StringComparison.Ordinal);
            Assert.Contains("Region__c", o.Reason, StringComparison.Ordinal);
        });
        Assert.Single(Collections());
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLeads_SameBatchSentAgain_OneRequestUpdatesWithoutDuplicates()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        var leads = Leads(200);
        var first = await client.UpsertLeadsAsync(leads, CancellationToken.None);
        var before = _crm.Requests.Count;

        var again = await client.UpsertLeadsAsync(leads, CancellationToken.None);

        Assert.Single(_crm.Requests.Skip(before));
        Assert.All(again, o => Assert.Equal((CrmBatchOutcomeKind.Succeeded, false), (o.Kind, o.Created)));
        Assert.Equal(
            first.OrderBy(o => o.ExternalId, StringComparer.Ordinal).Select(o => o.RecordId),
            again.OrderBy(o => o.ExternalId, StringComparer.Ordinal).Select(o => o.RecordId));
        Assert.Equal(200, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLeads_LockedRowAndExternalIdRace_ThoseTwoToRetryTheOthersSucceed()
    {
        _crm.RequiredOnCreate.Clear();
        using var host = CreateHost();
        _crm.RefuseLead(Id(3), "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record");
        _crm.RefuseLead(Id(4), "DUPLICATE_VALUE", "duplicate value found: Smarketing_Lead_Id__c duplicates value on record with id: 00Q000000000009", FakeSalesforce.ExternalIdField);

        var outcomes = await host.Get<SalesforceCrmClient>().UpsertLeadsAsync(Leads(10), CancellationToken.None);

        Assert.Equal([Id(3), Id(4)], outcomes.Where(o => o.Kind == CrmBatchOutcomeKind.Retry).Select(o => o.ExternalId).Order(StringComparer.Ordinal));
        Assert.StartsWith($"Salesforce could not upsert lead '{Id(3)}' now: UNABLE_TO_LOCK_ROW", outcomes.Single(o => o.ExternalId == Id(3)).Reason, StringComparison.Ordinal);
        Assert.Equal(8, outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Succeeded));
        Assert.Single(Collections());
    }

    [Fact]
    public async Task UpsertLeads_AlreadyUpsertedOneOfThemDeleted_OwnerAndStatusOnlyForTheRecreatedOne()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        var leads = Leads(3);
        await client.UpsertLeadsAsync(leads, CancellationToken.None);
        _crm.ChangeAsRep(Id(0), "person0@example.com", "005GRACE0000001", "Working - Contacted");
        _crm.Delete(Id(1), "person1@example.com");
        var before = _crm.Requests.Count;

        var outcomes = await client.UpsertLeadsAsync([.. leads.Select(l => l with { AlreadyUpserted = true })], CancellationToken.None);

        var patches = Collections(before);
        Assert.Equal(3, patches.Count);
        Assert.All(patches[0].Json!["records"]!.AsArray(), r => Assert.False(r!.AsObject().ContainsKey("OwnerId") || r.AsObject().ContainsKey("Status")));
        Assert.Equal([Id(1)], IdsIn(patches[1]));
        Assert.True(JsonNode.DeepEquals(
            new JsonArray(new JsonObject { ["attributes"] = new JsonObject { ["type"] = "Lead" }, ["Smarketing_Lead_Id__c"] = Id(1), ["OwnerId"] = "005ADA000000001", ["Status"] = "SAL" }),
            patches[2].Json!["records"]), patches[2].Body);

        Assert.All(outcomes, o => Assert.Equal(CrmBatchOutcomeKind.Succeeded, o.Kind));
        Assert.Equal([Id(1)], outcomes.Where(o => o.Created).Select(o => o.ExternalId));
        Assert.Equal(("005GRACE0000001", "Working - Contacted"), (_crm.RecordOf(Id(0), string.Empty)!.OwnerId, _crm.RecordOf(Id(0), string.Empty)!.Status));
        Assert.Equal(("005ADA000000001", "SAL"), (_crm.RecordOf(Id(1), string.Empty)!.OwnerId, _crm.RecordOf(Id(1), string.Empty)!.Status));
    }

    [Fact]
    public async Task UpsertLeads_RequestLimitExceeded_TransientDailyLimitAndNothingStored()
    {
        using var host = CreateHost();
        _crm.Faults.Enqueue(FakeSalesforce.RequestLimitExceeded());

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<SalesforceCrmClient>().UpsertLeadsAsync(Leads(50), CancellationToken.None));

        Assert.Equal(CrmCondition.DailyLimit, failure.Condition);
        Assert.Equal(403, failure.StatusCode);
        Assert.Contains("REQUEST_LIMIT_EXCEEDED", failure.Message, StringComparison.Ordinal);
        Assert.Contains("collections upsert of 50 leads", failure.Message, StringComparison.Ordinal);
        Assert.Single(_crm.ApiRequests);
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLeads_SessionRefusedEvenAfterNewToken_TransientCredentialsRefused()
    {
        using var host = CreateHost();
        _crm.FaultWhen = path => path == CollectionsPath ? FakeSalesforce.Error(401, "INVALID_SESSION_ID", "Session expired or invalid") : null;

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<SalesforceCrmClient>().UpsertLeadsAsync(Leads(5), CancellationToken.None));

        Assert.Equal(CrmCondition.CredentialsRefused, failure.Condition);
        Assert.Equal(2, _crm.TokensIssued);
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLeads_WholeRequestRefusedForAnUnknownField_EveryRecordRefusedWithTheReason()
    {
        using var host = CreateHost();
        _crm.Faults.Enqueue(FakeSalesforce.Error(400, "INVALID_FIELD", "No such column 'MQL_Score__c' on sobject of type Lead"));

        var outcomes = await host.Get<SalesforceCrmClient>().UpsertLeadsAsync(Leads(4), CancellationToken.None);

        Assert.All(outcomes, o =>
        {
            Assert.Equal(CrmBatchOutcomeKind.Refused, o.Kind);
            Assert.Contains("INVALID_FIELD", o.Reason, StringComparison.Ordinal);
            Assert.Contains("whole collections request (HTTP 400)", o.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(4, outcomes.Count);
    }

    [Fact]
    public void Registration_BatchClientKeyedByProvider_IsTheSalesforceClient()
    {
        using var host = CreateHost();

        var batch = host.Services.GetRequiredKeyedService<IBatchCrmClient>(SalesforceCrmClient.ProviderName);

        Assert.Same(host.Get<SalesforceCrmClient>(), batch);
        Assert.Equal(SalesforceCrmClient.ProviderName, batch.Provider);
    }

    [Fact]
    public async Task Logs_AfterBatchWithRefusals_HoldNoEmailOrPhone()
    {
        using var host = CreateHost();
        _crm.RefuseLead(Id(2), "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Phone 555-010-0002 must be in E.164 format", "Phone");
        _crm.Faults.Enqueue(FakeSalesforce.Error(503, "SERVER_UNAVAILABLE", "down for person1@example.com"));

        await host.Get<SalesforceCrmClient>().UpsertLeadsAsync(Leads(5), CancellationToken.None);

        var text = string.Join('\n', host.Logs.Entries.Select(e => e.Message));
        Assert.Contains("Salesforce collections upsert of 5 leads: 4 succeeded, 1 refused, 0 to retry", text, StringComparison.Ordinal);
        foreach (var n in Enumerable.Range(0, 5))
        {
            Assert.DoesNotContain($"person{n}@example.com", text, StringComparison.Ordinal);
            Assert.DoesNotContain($"555-010-{n:D4}", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bulk_5000NewLeads_ConstantHandfulOfRequestsAndOneOutcomePerRecordWithFailures()
    {
        using var host = CreateHost();
        var bulk = host.Get<SalesforceBulkIngest>();
        var leads = Leads(5000);
        _crm.RefuseLead(Id(10), "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Phone 555-010-0010 must be in E.164 format", "Phone");
        _crm.RefuseLead(Id(2500), "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Email person2500@example.com is on the block list", "Email");
        _crm.RefuseLead(Id(4999), "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record");

        var jobId = await bulk.StartAsync(leads, CancellationToken.None);

        Assert.Equal(
            [("POST", "/services/oauth2/token"), ("POST", "/services/data/v62.0/jobs/ingest"), ("PUT", $"/services/data/v62.0/jobs/ingest/{jobId}/batches"), ("PATCH", $"/services/data/v62.0/jobs/ingest/{jobId}")],
            _crm.Requests.Select(r => (r.Method, r.Path)));
        var job = _crm.Requests[1].Json!;
        Assert.Equal(("Lead", "upsert", "Smarketing_Lead_Id__c", "CSV", "LF"), (job["object"]!.ToString(), job["operation"]!.ToString(), job["externalIdFieldName"]!.ToString(), job["contentType"]!.ToString(), job["lineEnding"]!.ToString()));
        var csv = _crm.Requests[2].Body;
        Assert.StartsWith("text/csv", _crm.Requests[2].Header("Content-Type"), StringComparison.Ordinal);
        Assert.DoesNotContain('\r', csv);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(5001, lines.Length);
        Assert.Equal("Smarketing_Lead_Id__c,Email,Phone,Status,OwnerId,MQL_Score__c,Last_Interesting_Moment__c,Industry,NumberOfEmployees,Country,LastName,Company", lines[0]);
        Assert.Equal($"{Id(0)},person0@example.com,555-010-0000,SAL,005ADA000000001,80,viewedPricingPage,SaaS,250,DE,[not provided],[not provided]", lines[1]);
        Assert.Equal("{\"state\":\"UploadComplete\"}", _crm.Requests[3].Body);

        // Salesforce works on its own time: the first look finds it in progress, and the caller looks again later.
        Assert.Null(await bulk.PollAsync(jobId, CancellationToken.None));
        var outcomes = SalesforceBulkIngest.ForEachLead(leads, (await bulk.PollAsync(jobId, CancellationToken.None))!);

        Assert.Equal(leads.Select(l => l.ExternalId), outcomes.Select(o => o.ExternalId));
        Assert.Equal(4997, outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Succeeded && o.Created));
        Assert.All(outcomes.Where(o => o.Kind == CrmBatchOutcomeKind.Succeeded), o => Assert.Equal(_crm.Lead(o.ExternalId)!["Id"]!.ToString(), o.RecordId));
        var failed = outcomes.Where(o => o.Kind != CrmBatchOutcomeKind.Succeeded).ToList();
        Assert.Equal(
            [
                (Id(10), CrmBatchOutcomeKind.Refused, $"Salesforce refused lead '{Id(10)}': FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone [redacted] must be in E.164 format (fields: Phone)"),
                (Id(2500), CrmBatchOutcomeKind.Refused, $"Salesforce refused lead '{Id(2500)}': FIELD_CUSTOM_VALIDATION_EXCEPTION: Email [redacted] is on the block list (fields: Email)"),
                (Id(4999), CrmBatchOutcomeKind.Retry, $"Salesforce could not upsert lead '{Id(4999)}' now: UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record"),
            ],
            failed.Select(o => (o.ExternalId, o.Kind, o.Reason)));
        Assert.Equal(4997, _crm.RecordCount);
        Assert.Equal("[not provided]", _crm.Lead(Id(0))!["LastName"]!.ToString());
        Assert.Equal(80, _crm.Lead(Id(0))!["MQL_Score__c"]!.GetValue<long>());

        // Create, upload, close, two looks, two result files: 7 API requests for 5,000 leads.
        Assert.Equal(7, _crm.ApiRequestCount);
    }

    [Fact]
    public async Task Bulk_LeadsHandedOffBefore_NoPlaceholdersAndADeletedRecordHandedOffAlone()
    {
        using var host = CreateHost();
        var existing = Leads(3);
        var first = await host.Get<SalesforceCrmClient>().UpsertLeadsAsync(existing, CancellationToken.None);
        _crm.EditAsRep(Id(0), "LastName", "Lovelace");
        _crm.Delete(Id(1), "person1@example.com");
        _crm.BulkPollsInProgress = 0;
        var bulk = host.Get<SalesforceBulkIngest>();
        var leads = existing.Select(l => l with { CrmId = first.Single(o => o.ExternalId == l.ExternalId).RecordId, MqlScore = 93 }).ToList();

        var jobId = await bulk.StartAsync(leads, CancellationToken.None);
        var outcomes = SalesforceBulkIngest.ForEachLead(leads, (await bulk.PollAsync(jobId, CancellationToken.None))!);

        Assert.DoesNotContain("LastName", _crm.Requests.Single(r => r.Method == "PUT").Body, StringComparison.Ordinal);
        Assert.Equal(("Lovelace", 93L), (_crm.Lead(Id(0))!["LastName"]!.ToString(), _crm.Lead(Id(0))!["MQL_Score__c"]!.GetValue<long>()));
        Assert.Equal(
            [(CrmBatchOutcomeKind.Succeeded, false), (CrmBatchOutcomeKind.HandOffAlone, false), (CrmBatchOutcomeKind.Succeeded, false)],
            outcomes.Select(o => (o.Kind, o.Created)));
        Assert.Contains("REQUIRED_FIELD_MISSING", outcomes[1].Reason, StringComparison.Ordinal);
        Assert.Null(_crm.Lead(Id(1)));
    }

    [Fact]
    public async Task Bulk_JobFailed_TransientWithSalesforcesMessage()
    {
        using var host = CreateHost();
        _crm.FailNextBulkJob = "InvalidBatch : Field name not found : MQL_Score__c";
        _crm.BulkPollsInProgress = 0;
        var bulk = host.Get<SalesforceBulkIngest>();
        var jobId = await bulk.StartAsync(Leads(10), CancellationToken.None);

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => bulk.PollAsync(jobId, CancellationToken.None));

        Assert.Contains($"job {jobId} ended Failed: InvalidBatch : Field name not found : MQL_Score__c", failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.Condition);
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task Bulk_AlreadyUpsertedLead_ArgumentExceptionAndNothingSent()
    {
        using var host = CreateHost();
        var leads = Leads(3);
        leads[2] = leads[2] with { AlreadyUpserted = true };

        var failure = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<SalesforceBulkIngest>().StartAsync(leads, CancellationToken.None));

        Assert.Contains(Id(2), failure.Message, StringComparison.Ordinal);
        Assert.Empty(_crm.Requests);
    }

    [Fact]
    public void Bulk_Threshold_2000UnlessConfigured()
    {
        using var host = CreateHost();
        using var configured = CrmTestHost.Create(CrmTestSettings.For(_crm, new Dictionary<string, string?> { ["Crm:Salesforce:BulkThreshold"] = "500" }));

        Assert.Equal((2000, 500), (host.Get<SalesforceBulkIngest>().Threshold, configured.Get<SalesforceBulkIngest>().Threshold));
    }

    [Fact]
    public async Task Bulk_UploadFails_JobAbortedAndTransientThrown()
    {
        using var host = CreateHost();
        _crm.FaultWhen = path => path.EndsWith("/batches", StringComparison.Ordinal) ? new Fault(500, "[{\"errorCode\":\"UNKNOWN_EXCEPTION\",\"message\":\"boom\"}]") : null;

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<SalesforceBulkIngest>().StartAsync(Leads(10), CancellationToken.None));

        Assert.Equal(CrmCondition.Down, failure.Condition);
        Assert.Equal(["Aborted"], _crm.BulkJobStates);
        Assert.Equal(0, _crm.RecordCount);
    }
}
