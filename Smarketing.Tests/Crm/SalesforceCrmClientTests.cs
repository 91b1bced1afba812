using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Salesforce;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>The Salesforce client, built by the app's composition root, against a fake Salesforce on 127.0.0.1.</summary>
public sealed class SalesforceCrmClientTests : IAsyncLifetime
{
    private FakeSalesforce _crm = null!;

    public async Task InitializeAsync() => _crm = await FakeSalesforce.StartNewAsync();

    public async Task DisposeAsync() => await _crm.DisposeAsync();

    internal static CrmLeadUpsert Lead(string id = "lead-sf-1", string email = "ada@example.com") => new()
    {
        ExternalId = id,
        Email = email,
        Phone = "555-123-4567",
        LeadStatus = "SAL",
        OwnerId = "005ADA000000001",
        MqlScore = 80,
        LastInterestingMoment = "viewedPricingPage",
        Campaign = "2026-q4-webinar",
        Industry = "SaaS",
        CompanySize = 250,
        Country = "DE",
    };

    private CrmTestHost CreateHost(IDictionary<string, string?>? extra = null) => CrmTestHost.Create(CrmTestSettings.For(_crm, extra));

    private static JsonObject ExpectedBody(CrmLeadUpsert lead) => new()
    {
        ["Email"] = lead.Email,
        ["Phone"] = lead.Phone,
        ["Status"] = "SAL",
        ["OwnerId"] = lead.OwnerId,
        ["MQL_Score__c"] = lead.MqlScore,
        ["Last_Interesting_Moment__c"] = lead.LastInterestingMoment,
        ["Industry"] = lead.Industry,
        ["NumberOfEmployees"] = lead.CompanySize,
        ["Country"] = lead.Country,
    };

    [Fact]
    public async Task UpsertLead_NewLead_TokenThenPatchByExternalIdWithExactRequests()
    {
        using var host = CreateHost();
        var lead = Lead();

        var result = await host.Get<SalesforceCrmClient>().UpsertLeadAsync(lead, CancellationToken.None);

        var requests = _crm.Requests;
        Assert.Equal(3, requests.Count);
        var token = requests[0];
        Assert.Equal(("POST", "/services/oauth2/token"), (token.Method, token.Path));
        Assert.StartsWith("application/x-www-form-urlencoded", token.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal($"grant_type=client_credentials&client_id={Uri.EscapeDataString(FakeSalesforce.ClientId)}&client_secret={FakeSalesforce.ClientSecret}", token.Body);

        // The first upsert carries only what Smarketing knows; Salesforce answers that a new Lead needs
        // LastName and Company, and the second carries the configured placeholders for those two only.
        foreach (var patch in requests.Skip(1))
        {
            Assert.Equal(("PATCH", "/services/data/v62.0/sobjects/Lead/Smarketing_Lead_Id__c/lead-sf-1"), (patch.Method, patch.Path));
            Assert.Equal("Bearer 00DTEST!token-1", patch.Header("Authorization"));
            Assert.Equal("FALSE", patch.Header("Sforce-Auto-Assign"));
            Assert.Equal("application/json; charset=utf-8", patch.Header("Content-Type"));
        }

        Assert.True(JsonNode.DeepEquals(ExpectedBody(lead), requests[1].Json), requests[1].Body);
        var withDefaults = ExpectedBody(lead);
        withDefaults["LastName"] = "[not provided]";
        withDefaults["Company"] = "[not provided]";
        Assert.True(JsonNode.DeepEquals(withDefaults, requests[2].Json), requests[2].Body);

        Assert.True(result.Created);
        var stored = _crm.Lead("lead-sf-1")!;
        Assert.Equal(stored["Id"]!.ToString(), result.RecordId);
        Assert.Equal("005ADA000000001", stored["OwnerId"]!.ToString());
        Assert.Equal(80, stored["MQL_Score__c"]!.GetValue<int>());
    }

    [Fact]
    public async Task UpsertLead_ExistingLead_OnePatchWithCachedTokenNoPlaceholdersCreatedFalse()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        var first = await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        var before = _crm.Requests.Count;

        var update = Lead() with { OwnerId = "005GRACE0000001", MqlScore = 95 };
        var second = await client.UpsertLeadAsync(update, CancellationToken.None);

        var patch = Assert.Single(_crm.Requests.Skip(before));
        Assert.Equal(("PATCH", "/services/data/v62.0/sobjects/Lead/Smarketing_Lead_Id__c/lead-sf-1"), (patch.Method, patch.Path));
        Assert.Equal("Bearer 00DTEST!token-1", patch.Header("Authorization"));
        Assert.Equal("FALSE", patch.Header("Sforce-Auto-Assign"));
        Assert.True(JsonNode.DeepEquals(ExpectedBody(update), patch.Json), patch.Body);
        Assert.False(second.Created);
        Assert.Equal(first.RecordId, second.RecordId);
        Assert.Equal(1, _crm.RecordCount);
        Assert.Equal(1, _crm.TokensIssued);
        Assert.Equal("005GRACE0000001", _crm.Lead("lead-sf-1")!["OwnerId"]!.ToString());
    }

    [Fact]
    public async Task UpsertLead_AlreadyUpsertedAndStillThere_OnePatchWithoutOwnerAndStatus()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        var first = await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        _crm.ChangeAsRep("lead-sf-1", "ada@example.com", "005GRACE0000001", "Working - Contacted");
        var before = _crm.Requests.Count;

        var retry = await client.UpsertLeadAsync(Lead() with { AlreadyUpserted = true }, CancellationToken.None);

        var patch = Assert.Single(_crm.Requests.Skip(before));
        var expected = ExpectedBody(Lead());
        expected.Remove("Status");
        expected.Remove("OwnerId");
        Assert.True(JsonNode.DeepEquals(expected, patch.Json), patch.Body);
        Assert.Equal((first.RecordId, false), (retry.RecordId, retry.Created));
        Assert.Equal(new CrmRecordView(first.RecordId, "005GRACE0000001", "Working - Contacted"), _crm.RecordOf("lead-sf-1", "ada@example.com"));
    }

    [Fact]
    public async Task UpsertLead_AlreadyUpsertedButDeleted_CreatedAgainThenOwnerAndStatusSent()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        _crm.Delete("lead-sf-1", "ada@example.com");
        var before = _crm.Requests.Count;

        var retry = await client.UpsertLeadAsync(Lead() with { AlreadyUpserted = true }, CancellationToken.None);

        var patches = _crm.Requests.Skip(before).ToList();
        Assert.Equal(3, patches.Count);
        var withoutCreateOnly = ExpectedBody(Lead());
        withoutCreateOnly.Remove("Status");
        withoutCreateOnly.Remove("OwnerId");
        Assert.True(JsonNode.DeepEquals(withoutCreateOnly, patches[0].Json), patches[0].Body);
        withoutCreateOnly["LastName"] = "[not provided]";
        withoutCreateOnly["Company"] = "[not provided]";
        Assert.True(JsonNode.DeepEquals(withoutCreateOnly, patches[1].Json), patches[1].Body);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["OwnerId"] = "005ADA000000001", ["Status"] = "SAL" }, patches[2].Json), patches[2].Body);
        Assert.True(retry.Created);
        Assert.Equal(new CrmRecordView(retry.RecordId, "005ADA000000001", "SAL"), _crm.RecordOf("lead-sf-1", "ada@example.com"));
    }

    [Fact]
    public async Task UpsertLead_SessionExpired_NewTokenFetchedOnceAndUpsertSucceeds()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        _crm.ExpireSessions();
        var before = _crm.Requests.Count;

        var result = await client.UpsertLeadAsync(Lead() with { MqlScore = 90 }, CancellationToken.None);

        var after = _crm.Requests.Skip(before).ToList();
        Assert.Equal(["PATCH", "POST", "PATCH"], after.Select(r => r.Method));
        Assert.Equal("Bearer 00DTEST!token-1", after[0].Header("Authorization"));
        Assert.Equal("/services/oauth2/token", after[1].Path);
        Assert.Equal("Bearer 00DTEST!token-2", after[2].Header("Authorization"));
        Assert.False(result.Created);
        Assert.Equal(90, _crm.Lead("lead-sf-1")!["MQL_Score__c"]!.GetValue<int>());
    }

    [Fact]
    public async Task UpsertLead_RequestLimitExceeded_TransientForALaterDeliveryNotABadRequest()
    {
        using var host = CreateHost();
        _crm.Faults.Enqueue(FakeSalesforce.RequestLimitExceeded());

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<SalesforceCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Contains("REQUEST_LIMIT_EXCEEDED", failure.Message, StringComparison.Ordinal);
        Assert.Equal(403, failure.StatusCode);
        Assert.Equal(CrmCondition.DailyLimit, failure.Condition);

        // A daily limit is not lifted by retrying within seconds: the queue's next delivery retries it.
        Assert.Single(_crm.ApiRequests);
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLead_ServiceUnavailableTwice_RetriedInProcessAndOneRecord()
    {
        using var host = CreateHost();
        _crm.Faults.Enqueue(new Fault(503, "[{\"errorCode\":\"SERVER_UNAVAILABLE\",\"message\":\"down\"}]"));
        _crm.Faults.Enqueue(new Fault(503, "[{\"errorCode\":\"SERVER_UNAVAILABLE\",\"message\":\"down\"}]"));

        var result = await host.Get<SalesforceCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None);

        Assert.True(result.Created);
        Assert.Equal(1, _crm.RecordCount);
        Assert.Equal(4, _crm.ApiRequests.Count);
    }

    [Fact]
    public async Task UpsertLead_ConcurrentCreateRefusedAsDuplicateExternalId_SentAgainAndUpdatesTheRecord()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        var created = await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        var before = _crm.ApiRequests.Count;
        _crm.Faults.Enqueue(FakeSalesforce.Error(400, "DUPLICATE_VALUE", "duplicate value found: Smarketing_Lead_Id__c duplicates value on record with id: " + created.RecordId, "Smarketing_Lead_Id__c"));

        var result = await client.UpsertLeadAsync(Lead() with { MqlScore = 91 }, CancellationToken.None);

        Assert.Equal(2, _crm.ApiRequests.Count - before);
        Assert.Equal(created.RecordId, result.RecordId);
        Assert.False(result.Created);
        Assert.Equal(1, _crm.RecordCount);
        Assert.Equal(91, _crm.Lead("lead-sf-1")!["MQL_Score__c"]!.GetValue<int>());
    }

    [Fact]
    public async Task UpsertLead_ValidationError_PermanentWithSalesforceMessageAndNoPersonalData()
    {
        using var host = CreateHost();
        var lead = Lead(email: "ada.lovelace-at-example.com");

        var failure = await Assert.ThrowsAsync<CrmPermanentException>(() => host.Get<SalesforceCrmClient>().UpsertLeadAsync(lead, CancellationToken.None));

        Assert.Contains("INVALID_EMAIL_ADDRESS: Email: invalid email address: [redacted] (fields: Email)", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(lead.Email, failure.Message, StringComparison.Ordinal);
        Assert.Single(_crm.ApiRequests);
    }

    [Fact]
    public async Task UpsertLead_RequiredFieldWithoutDefault_PermanentNamingTheField()
    {
        using var host = CreateHost();
        _crm.RequiredOnCreate.Add("Region__c");

        var failure = await Assert.ThrowsAsync<CrmPermanentException>(() => host.Get<SalesforceCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Contains("REQUIRED_FIELD_MISSING", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Region__c", failure.Message, StringComparison.Ordinal);
        Assert.Single(_crm.ApiRequests);
        Assert.Equal(0, _crm.RecordCount);
    }

    [Fact]
    public async Task UpsertLead_WrongClientSecret_CredentialsRefusedNamingTheSettings()
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:Salesforce:ClientSecret"] = "wrong" });

        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => host.Get<SalesforceCrmClient>().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Equal(CrmCondition.CredentialsRefused, failure.Condition);
        Assert.Contains("invalid_client", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Crm:Salesforce:LoginUrl, ClientId and ClientSecret", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_crm.ApiRequests);
    }

    [Fact]
    public async Task UpsertLead_LimitInfoHeader_ReadAndLoggedWithWarningAtThreshold()
    {
        using var host = CreateHost(new Dictionary<string, string?> { ["Crm:Salesforce:ApiUsageWarningPercent"] = "90" });
        _crm.DailyApiLimit = 4;
        var client = host.Get<SalesforceCrmClient>();

        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        Assert.Equal("Salesforce API usage 2/4 (50%)", host.Logs.Entries.Last(e => e.Message.StartsWith("Salesforce API usage", StringComparison.Ordinal)).Message);
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);

        var usage = host.Logs.Entries.Where(e => e.Message.StartsWith("Salesforce API usage", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["Salesforce API usage 1/4 (25%)", "Salesforce API usage 2/4 (50%)", "Salesforce API usage 3/4 (75%)", "Salesforce API usage 4/4 (100%) is at or above the warning level of 90%"],
            usage.Select(e => e.Message));
        Assert.Equal(LogLevel.Warning, usage[^1].Level);
    }

    [Fact]
    public async Task Logs_AfterCreateUpdateAndRefusal_HoldNoEmailPhoneTokenOrSecret()
    {
        using var host = CreateHost();
        var client = host.Get<SalesforceCrmClient>();
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        await client.UpsertLeadAsync(Lead(), CancellationToken.None);
        await Assert.ThrowsAsync<CrmPermanentException>(() => client.UpsertLeadAsync(Lead("lead-sf-2", "grace-at-example.com"), CancellationToken.None));

        var text = string.Join('\n', host.Logs.Entries.Select(e => e.Message));
        Assert.Contains("Salesforce upserted lead lead-sf-1", text, StringComparison.Ordinal);
        foreach (var secret in new[] { "ada@example.com", "grace-at-example.com", "555-123-4567", "00DTEST!token", FakeSalesforce.ClientSecret })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }
}
