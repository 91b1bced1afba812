using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// Personal data: ids derived from an address are keyed (no address list computes them), an address given as id never
/// becomes a key, queue messages and dead letters carry no contact data, and a person can be erased everywhere the app
/// keeps them while the funnel's counts stay; retention removes old delivery records.
/// </summary>
public sealed class PersonalDataTests
{
    private const string Email = "erase.me@example.org";
    private const string Phone = "+44 20 7946 0958";
    private const string Window = "?from=2026-11-01&to=2026-12-01";

    [Fact]
    public async Task Post_LeadWithoutId_IdIsKeyedNotTheUnsaltedSha256OfTheAddress()
    {
        await using var app = await TestApp.StartAsync();
        var lead = Person();

        var id = (await app.PostLeadAsync(lead.ToJsonString())).Json.GetProperty("leadId").GetString()!;

        var unsalted = "email-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Email.ToUpperInvariant())).AsSpan(0, 12));
        Assert.NotEqual(unsalted, id);
        Assert.Equal(404, (await app.GetLeadAsync(unsalted)).Status);
        Assert.Equal(Ids(TestApp.LeadIdKey).FromEmail(Email), id);
        Assert.NotEqual(Ids("another-deployments-key-Xq7Lm2Vb9Nc4Rt8Kw").FromEmail(Email), id);
        Assert.DoesNotContain("erase", id, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("lead-id-key")]
    [InlineData(LeadIds.DevelopmentKey)]
    public async Task Start_OutsideDevelopment_LeadIdKeyMissingWeakOrPublished_RefusedNamingTheSetting(string? key)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Intake:LeadIdKey"] = key, ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production" });
        });

        Assert.Contains("Setting Intake:LeadIdKey", failure.Message, StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(key))
        {
            Assert.DoesNotContain(key, failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_InDevelopmentWithoutLeadIdKey_StartsWithTheDevelopmentKey()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Intake:LeadIdKey"] = null, ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" });

        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;

        Assert.Equal(Ids(LeadIds.DevelopmentKey).FromEmail(Email), id);
    }

    [Fact]
    public async Task Post_LegacyUnsaltedIdsOn_LeadAlreadyInTheLedgerUnderItsUnsaltedIdKeepsIt_NewLeadGetsTheKeyedId()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Intake:LegacyUnsaltedIds"] = "true" });
        var legacy = LeadIds.LegacyFromEmail(Email);
        var existing = Leads.Article(legacy);
        existing["email"] = Email;
        Assert.Equal(202, (await app.PostLeadAsync(existing.ToJsonString())).Status);
        var newcomer = Person();
        newcomer["email"] = "someone.new@example.org";

        var again = Person();
        again["campaign"] = "2026-q4-retarget";
        var continued = await app.PostLeadAsync(again.ToJsonString());
        var fresh = await app.PostLeadAsync(newcomer.ToJsonString());

        Assert.Equal(legacy, continued.Json.GetProperty("leadId").GetString());
        Assert.Equal(Ids(TestApp.LeadIdKey).FromEmail("someone.new@example.org"), fresh.Json.GetProperty("leadId").GetString());
        Assert.Equal(2, (await TestApp.RowsAsync(app.Layout.LeadLedger)).Count(r => r.RowKey == "ledger"));
    }

    [Fact]
    public async Task Post_IdIsAnEmailAddress_KeptUnderItsPseudonymAndTheAddressReachesNoKeyNorTheCrm()
    {
        await using var app = await TestApp.StartAsync();
        var lead = Person();
        lead["id"] = "Erase.Me@Example.org";

        var response = await app.PostLeadAsync(lead.ToJsonString());
        await RunHandoffsAsync(app);

        Assert.Equal(202, response.Status);
        var id = response.Json.GetProperty("leadId").GetString()!;
        Assert.Equal(Ids(TestApp.LeadIdKey).FromEmail(Email), id);
        var ledgerRow = Assert.Single(await TestApp.RowsAsync(app.Layout.LeadLedger), r => r.RowKey == "ledger");
        Assert.Equal(id, ledgerRow.GetString("LeadId"));
        var crm = Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Equal(id, crm.GetString("ExternalId"));
        foreach (var table in new[] { app.Layout.LeadLedger, app.Layout.SandboxCrm, app.Layout.PendingHandoffs })
        {
            Assert.All(await TestApp.RowsAsync(table), r => Assert.DoesNotContain("example.org", r.PartitionKey + r.RowKey + r.GetString("LeadId") + r.GetString("ExternalId"), StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task Feedback_LeadIdIsAnEmailAddress_AppliedToThatAddresssLead_AddressRecordedNowhere()
    {
        await using var app = await TestApp.StartAsync();
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        var feedback = new JsonObject { ["leadId"] = Email, ["status"] = "DISQUALIFIED", ["reasonCode"] = "NOT_A_FIT" };

        var response = await app.PostFeedbackAsync(feedback.ToJsonString());

        Assert.Equal(200, response.Status);
        Assert.Equal("DISQUALIFIED", (await app.GetLeadAsync(id)).Status());
        Assert.DoesNotContain(Email, response.Body, StringComparison.OrdinalIgnoreCase);
        Assert.All(await TestApp.RowsAsync(app.Layout.FeedbackDeliveries), r => Assert.Equal(id, r.GetString("LeadId")));
        Assert.All(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback), r => Assert.Equal(id, r.GetString("LeadId")));
    }

    [Fact]
    public async Task Delete_ByAddressWhileLegacyIdsAreOn_ErasesTheLegacyLeadAndTheKeyedOne()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Intake:LegacyUnsaltedIds"] = "true" });
        var legacy = Leads.Article(LeadIds.LegacyFromEmail(Email));
        legacy["email"] = Email;
        legacy["phone"] = Phone;
        Assert.Equal(202, (await app.PostLeadAsync(legacy.ToJsonString())).Status);
        var keyed = Leads.Article(Ids(TestApp.LeadIdKey).FromEmail(Email));
        keyed["email"] = Email;
        keyed["phone"] = Phone;
        Assert.Equal(202, (await app.PostLeadAsync(keyed.ToJsonString())).Status);

        var response = await DeleteAsync(app, Email);

        Assert.Equal(200, response.Status);
        Assert.Single(response.Json.GetProperty("otherLeadIds").EnumerateArray());
        Assert.Empty(await TracesAsync(app));
        Assert.Equal(2, (await TestApp.RowsAsync(app.Layout.ErasureAudit)).Count);
    }

    [Fact]
    public async Task Post_Mql_QueueMessageHoldsNoEmailOrPhone()
    {
        await using var app = await TestApp.StartAsync();

        Assert.Equal(202, (await app.PostLeadAsync(Person().ToJsonString())).Status);

        var message = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff));
        var body = message.Body.ToString();
        Assert.Contains("leadId", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Phone, body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"email\"", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Handoff_Version1MessageStillQueuedAtDeploy_HandedOffWithTheLedgersContactNotTheMessages()
    {
        await using var app = await TestApp.StartAsync();
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        await app.Layout.Handoff.ClearMessagesAsync();

        await app.Layout.Handoff.SendMessageAsync(Version1Message(id, "stale.copy@example.org", "+1 555 0199"));
        await RunHandoffsAsync(app);

        var crm = Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Equal((Email, Phone), (crm.GetString("Email"), crm.GetString("Phone")));
        Assert.Equal("SAL", (await app.GetLeadAsync(id)).Status());
    }

    [Fact]
    public async Task DeadLetter_Version1MessageRefusedOrPoisonedByTheHost_HoldsNoEmailOrPhone()
    {
        await using var app = await TestApp.StartAsync();

        // Refused at once by the handoff (no such lead), and moved from the host's poison queue.
        await app.Layout.Handoff.SendMessageAsync(Version1Message("lead-never-seen", Email, Phone));
        await RunHandoffsAsync(app);
        await app.Layout.HandoffPoison.SendMessageAsync(Version1Message("lead-poisoned-by-host", Email, Phone));
        var poisoned = (await app.Layout.HandoffPoison.ReceiveMessageAsync()).Value;
        await app.Function<RecordPoisonedHandoff>().Run(poisoned, CancellationToken.None);

        var letters = await TestApp.RowsAsync(app.Layout.HandoffDeadLetters);
        Assert.Equal(["lead-never-seen", "lead-poisoned-by-host"], letters.Select(l => l.GetString("LeadId")).Order(StringComparer.Ordinal));
        foreach (var letter in letters)
        {
            var body = Encoding.UTF8.GetString(letter.GetBinary("Body"));
            Assert.Contains("lead-", body, StringComparison.Ordinal);
            Assert.DoesNotContain(Email, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Phone, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Replay_DeadLetterAnEarlierVersionWroteWithContactData_RequeuedWithoutIt_HandedOffWithTheLedgersContact()
    {
        await using var app = await TestApp.StartAsync();
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        await app.Layout.Handoff.ClearMessagesAsync();
        await app.Layout.HandoffDeadLetters.AddEntityAsync(new TableEntity("handoff", "old-message-2")
        {
            ["MessageId"] = "old-message-2",
            ["LeadId"] = id,
            ["Kind"] = "refused",
            ["Reason"] = "Sandbox refused the record",
            ["PoisonedAt"] = app.Time.GetUtcNow(),
            ["Body"] = Encoding.UTF8.GetBytes(Version1Message(id, "stale.copy@example.org", "+1 555 0199")),
        });

        var replay = await app.ReplayAsync("{\"all\": true}");
        var requeued = Assert.Single(await TestApp.PeekAsync(app.Layout.Handoff)).Body.ToString();
        await RunHandoffsAsync(app);

        Assert.Equal(200, replay.Status);
        Assert.DoesNotContain("stale.copy", requeued, StringComparison.Ordinal);
        Assert.DoesNotContain("0199", requeued, StringComparison.Ordinal);
        Assert.Equal(Email, Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm)).GetString("Email"));
    }

    [Fact]
    public async Task Delete_HandedOffDisqualifiedLead_NoTraceOfEmailOrPhoneInAnyTableOrQueue_SummaryCountsUnchanged()
    {
        await using var app = await TestApp.StartAsync();
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        await RunHandoffsAsync(app);
        var feedback = new JsonObject
        {
            ["leadId"] = id,
            ["status"] = "DISQUALIFIED",
            ["reasonCode"] = "NOT_A_FIT",
            ["rep"] = "rep-ada",
            ["note"] = $"Called {Email} on {Phone}: no project this year",
        };
        Assert.Equal(200, (await app.PostFeedbackAsync(feedback.ToJsonString())).Status);

        // A dead letter an earlier version wrote, with the version 1 body as it was.
        await app.Layout.HandoffDeadLetters.AddEntityAsync(new TableEntity("handoff", "old-message-1")
        {
            ["MessageId"] = "old-message-1",
            ["LeadId"] = id,
            ["Kind"] = "refused",
            ["Reason"] = "Sandbox refused the record",
            ["PoisonedAt"] = app.Time.GetUtcNow(),
            ["Body"] = Encoding.UTF8.GetBytes(Version1Message(id, Email, Phone)),
        });
        Assert.NotEmpty(await TracesAsync(app));
        var before = await app.GetSummaryAsync(Window);

        var erased = await DeleteAsync(app, id);

        Assert.Equal(200, erased.Status);
        Assert.Empty(await TracesAsync(app));
        var after = await app.GetSummaryAsync(Window);
        Assert.Equal(200, after.Status);
        Assert.Equal(Counts(before), Counts(after));
        var lead = await app.GetLeadAsync(id);
        Assert.Equal(("DISQUALIFIED", 80), (lead.Status(), lead.Json.GetProperty("score").GetInt32()));
    }

    [Fact]
    public async Task Delete_Twice_SecondAnswersAlreadyErased_OneAuditRowWithWhoAndWhatButNoContactData_UnknownIs404()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Admin:TrustAppServicePrincipal"] = "true", [Smarketing.Functions.Http.AdminOptions.AppServiceAuthEnabledSetting] = "True" });
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        await RunHandoffsAsync(app);

        var first = await DeleteAsync(app, id, principal: "dpo@corp.example");
        var second = await DeleteAsync(app, Email);
        var unknown = await DeleteAsync(app, "lead-nobody");

        Assert.Equal((200, 200, 404), (first.Status, second.Status, unknown.Status));
        Assert.False(first.Json.GetProperty("alreadyErased").GetBoolean());
        Assert.True(second.Json.GetProperty("alreadyErased").GetBoolean());
        Assert.Equal(id, second.Json.GetProperty("leadId").GetString());
        Assert.Equal(first.Json.GetProperty("erasedAt").GetDateTimeOffset(), second.Json.GetProperty("erasedAt").GetDateTimeOffset());
        Assert.Contains("application/problem+json", unknown.ContentType, StringComparison.Ordinal);
        var audit = Assert.Single(await TestApp.RowsAsync(app.Layout.ErasureAudit));
        Assert.Equal(id, audit.GetString("LeadId"));
        Assert.Equal("principal:dpo@corp.example", audit.GetString("ErasedBy"));
        Assert.Contains("ledger", audit.GetString("Erased"), StringComparison.Ordinal);
        Assert.Contains("sandbox-crm", audit.GetString("Erased"), StringComparison.Ordinal);
        Assert.DoesNotContain(Email, string.Join("|", audit.Select(p => p.Value)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Delete_LeadWhoseHandoffIsStillQueued_HandoffEndsWithoutCallingTheCrm()
    {
        await using var app = await TestApp.StartAsync();
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;

        Assert.Equal(200, (await DeleteAsync(app, id)).Status);
        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, listener.Failures);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.HandoffDeadLetters));
        var lead = await app.GetLeadAsync(id);
        Assert.Equal("MQL", lead.Status());
        Assert.False(lead.Json.GetProperty("handoffPending").GetBoolean());
    }

    [Fact]
    public async Task Delete_StorageFailsHalfWay_503AndTheRequestIsAuditedAsStarted_RetryCompletesIt()
    {
        var fault = new FaultInjectionPolicy(m => m.Request.Uri.Path.Contains(StorageLayout.SandboxCrmTable, StringComparison.Ordinal));
        await using var app = await TestApp.StartAsync(configure: b => b.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(fault, Azure.Core.HttpPipelinePosition.PerCall)));
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        fault.Failing = true;
        var failed = await DeleteAsync(app, id);
        fault.Failing = false;
        var afterFailure = await TestApp.RowsAsync(app.Layout.ErasureAudit);
        var retried = await DeleteAsync(app, id);
        var audit = await TestApp.RowsAsync(app.Layout.ErasureAudit);

        Assert.Equal(503, failed.Status);
        Assert.Equal("started", Assert.Single(afterFailure).GetString("Status"));
        Assert.Equal(200, retried.Status);
        Assert.Equal(2, audit.Count);
        Assert.Contains(audit, r => r.GetString("Status") == "completed" && r.GetString("Erased")!.Contains("sandbox-crm", StringComparison.Ordinal));
        Assert.Empty(await TracesAsync(app));
    }

    [Fact]
    public async Task Delete_MqlBeforeItsHandoff_PersonComesBackWithANewSubmission_HandedOffAfterAll()
    {
        await using var app = await TestApp.StartAsync();
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        Assert.Equal(200, (await DeleteAsync(app, id)).Status);
        await app.HandoffListener().RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.SandboxCrm));

        // A new form fill: new content, new delivery.
        var comeback = Person();
        comeback["phone"] = "+44 20 7946 0000";
        Assert.Equal(202, (await app.PostLeadAsync(comeback.ToJsonString())).Status);
        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, listener.Failures);
        Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Equal("SAL", (await app.GetLeadAsync(id)).Status());
    }

    [Fact]
    public async Task Delete_OverHttp_FunctionKeyOrMasterKeyAloneRefused_MasterKeyAndAdminKeyErase()
    {
        await using var app = await TestApp.StartAsync();
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        await using var server = await LocalFunctionsServer.StartAsync(app, runQueueListener: false);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var withFunctionKey = new HttpRequestMessage(HttpMethod.Delete, "/api/leads/" + id) { Headers = { { "x-functions-key", LocalFunctionsServer.FunctionKey } } };
        using var withMasterKey = new HttpRequestMessage(HttpMethod.Delete, "/api/leads/" + id) { Headers = { { "x-functions-key", LocalFunctionsServer.MasterKey } } };
        using var withBoth = new HttpRequestMessage(HttpMethod.Delete, "/api/leads/" + id)
        {
            Headers = { { "x-functions-key", LocalFunctionsServer.MasterKey }, { Smarketing.Functions.Http.AdminOptions.KeyHeader, TestApp.AdminKey } },
        };
        using var refused = await http.SendAsync(withFunctionKey);
        using var noAdminCredential = await http.SendAsync(withMasterKey);
        var stillThere = await TestApp.RowsAsync(app.Layout.ErasureAudit);
        using var erased = await http.SendAsync(withBoth);

        Assert.Equal((401, 401, 200), ((int)refused.StatusCode, (int)noAdminCredential.StatusCode, (int)erased.StatusCode));
        Assert.Empty(stillThere);
        Assert.Single(await TestApp.RowsAsync(app.Layout.ErasureAudit));
    }

    [Fact]
    public async Task Delete_IdWithAControlCharacter_400AndNothingErased()
    {
        await using var app = await TestApp.StartAsync();

        var response = await DeleteAsync(app, "lead\n1");

        Assert.Equal(400, response.Status);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.ErasureAudit));
    }

    [Fact]
    public async Task Delete_AddressInTheUrl_400PointingToTheBodyFormAndNothingErased()
    {
        await using var app = await TestApp.StartAsync();
        Assert.Equal(202, (await app.PostLeadAsync(Person().ToJsonString())).Status);

        var request = TestApp.AdminRequest("DELETE", "/api/leads/" + Uri.EscapeDataString(Email));
        var response = await HttpInvoker.ExecuteAsync(request, await app.Function<EraseLead>().Run(request, Email, CancellationToken.None));

        Assert.Equal(400, response.Status);
        Assert.Contains("POST /api/erasures", response.Body, StringComparison.Ordinal);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.ErasureAudit));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"email\": 42}")]
    [InlineData("{\"email\": \"lead-1\"}")]
    [InlineData("[\"a@example.com\"]")]
    [InlineData("not json")]
    public async Task Erasures_BodyWithoutAnAddress_400AndNothingErased(string body)
    {
        await using var app = await TestApp.StartAsync();
        Assert.Equal(202, (await app.PostLeadAsync(Person().ToJsonString())).Status);

        var request = TestApp.AdminRequest("POST", "/api/erasures", body);
        var response = await HttpInvoker.ExecuteAsync(request, await app.Function<EraseLead>().RunByAddress(request, CancellationToken.None));

        Assert.Equal(400, response.Status);
        Assert.Empty(await TestApp.RowsAsync(app.Layout.ErasureAudit));
    }

    [Fact]
    public async Task ApplyRetention_RefusedDeliveriesOlderThanTheSetting_Removed_YoungerKept()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Retention:RefusedDeliveries"] = "30.00:00:00" });
        var store = app.Services.GetRequiredService<RefusedDeliveryStore>();
        var now = app.Time.GetUtcNow();
        await store.RecordAsync(new RefusedDelivery { Source = "HubSpot", ReceivedAt = now.AddDays(-31), Status = 400, Reason = "old" }, CancellationToken.None);
        await store.RecordAsync(new RefusedDelivery { Source = "HubSpot", ReceivedAt = now.AddDays(-29), Status = 400, Reason = "recent" }, CancellationToken.None);

        await app.Function<ApplyRetention>().Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        var kept = await RefusedDeliveryStore.ReadAsync(app.Layout.RefusedDeliveries, "hubspot", CancellationToken.None);
        Assert.Equal(["recent"], kept.Select(k => k.Reason));
    }

    [Theory]
    [InlineData("Retention:RefusedDeliveries", "01:00:00")]
    [InlineData("Retention:History", "00:00:00")]
    public async Task Start_RetentionUnderADay_RefusedNamingTheSetting(string key, string value)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { [key] = value });
        });

        Assert.Contains("Setting " + key, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyRetention_HistorySet_OldHistoryRowsRemoved_LedgerRowAndHistoryEndpointStillAnswer()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Retention:History"] = "7.00:00:00" });
        var id = (await app.PostLeadAsync(Person().ToJsonString())).Json.GetProperty("leadId").GetString()!;
        await RunHandoffsAsync(app);
        app.Time.Advance(TimeSpan.FromDays(8));

        await app.Function<ApplyRetention>().Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        Assert.DoesNotContain(await TestApp.RowsAsync(app.Layout.LeadLedger), r => r.RowKey.StartsWith("history-", StringComparison.Ordinal));
        Assert.Equal("SAL", (await app.GetLeadAsync(id)).Status());
    }

    private static JsonObject Person()
    {
        var lead = Leads.Article();
        lead.Remove("id");
        lead["email"] = Email;
        lead["phone"] = Phone;
        return lead;
    }

    private static LeadIds Ids(string key) => new(Options.Create(new LeadIdOptions { LeadIdKey = key }));

    private static string Version1Message(string leadId, string email, string phone) => new JsonObject
    {
        ["version"] = 1,
        ["leadId"] = leadId,
        ["email"] = email,
        ["phone"] = phone,
        ["score"] = 80,
        ["modelVersion"] = "sha256:0123456789abcdef",
        ["campaign"] = Leads.Campaign,
        ["mqlAt"] = "2026-11-02T09:00:00+00:00",
    }.ToJsonString();

    private static async Task RunHandoffsAsync(TestApp app)
    {
        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<HttpResult> DeleteAsync(TestApp app, string id, string? principal = null)
    {
        if (LeadIds.IsEmailAddress(id))
        {
            // An address never goes in a URL: erasure by address is POST /api/erasures with the address in the body.
            var body = new JsonObject { ["email"] = id }.ToJsonString();
            var byAddress = TestApp.AdminRequest("POST", "/api/erasures", body);
            return await HttpInvoker.ExecuteAsync(byAddress, await app.Function<EraseLead>().RunByAddress(byAddress, CancellationToken.None));
        }

        var request = TestApp.AdminRequest("DELETE", "/api/leads/" + Uri.EscapeDataString(id));
        if (principal is not null)
        {
            request.Headers[EraseLead.PrincipalNameHeader] = principal;
        }

        return await HttpInvoker.ExecuteAsync(request, await app.Function<EraseLead>().Run(request, id, CancellationToken.None));
    }

    // The summary without the moment it was computed at.
    private static string Counts(HttpResult summary)
    {
        var json = JsonNode.Parse(summary.Body)!.AsObject();
        json.Remove("generatedAt");
        return json.ToJsonString();
    }

    // Every property of every row of every table, and every message of every queue (as stored and base64-decoded), that
    // holds the e-mail address or the phone number, whatever the case.
    private static async Task<List<string>> TracesAsync(TestApp app)
    {
        var found = new List<string>();
        var tables = app.Services.GetRequiredService<TableServiceClient>();
        await foreach (var table in tables.QueryAsync())
        {
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                foreach (var (key, value) in row)
                {
                    var text = value switch
                    {
                        byte[] bytes => Encoding.UTF8.GetString(bytes),
                        BinaryData data => data.ToString(),
                        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
                    };
                    if (Holds(text))
                    {
                        found.Add($"{table.Name}/{row.PartitionKey}/{row.RowKey}/{key}");
                    }
                }
            }
        }

        var queues = app.Services.GetRequiredService<QueueServiceClient>();
        var raw = new QueueServiceClient(app.ConnectionString);
        await foreach (var queue in queues.GetQueuesAsync())
        {
            foreach (var message in (await raw.GetQueueClient(queue.Name).PeekMessagesAsync(32)).Value)
            {
                var stored = message.Body.ToString();
                if (Holds(stored) || Holds(Decoded(stored)))
                {
                    found.Add($"queue {queue.Name}/{message.MessageId}");
                }
            }
        }

        return found;

        static bool Holds(string text) =>
            text.Contains(Email, StringComparison.OrdinalIgnoreCase) || text.Contains(Phone, StringComparison.Ordinal);

        static string Decoded(string text)
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(text));
            }
            catch (FormatException)
            {
                return string.Empty;
            }
        }
    }
}
