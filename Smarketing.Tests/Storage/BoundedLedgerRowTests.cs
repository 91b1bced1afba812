using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Smarketing.Core.Contracts;
using Smarketing.Functions;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Storage;

/// <summary>A long-lived lead on Azurite: the row stays bounded, the full history is paged, old rows still read.</summary>
public sealed class BoundedLedgerRowTests
{
    // The longest note and rep the feedback contract accepts, made of characters JSON escapes (up to 6 characters each).
    private static readonly string HostileNote = string.Concat(Enumerable.Repeat("\u0001<\"é", CrmFeedback.MaxNoteLength / 4));
    private static readonly string HostileRep = string.Concat(Enumerable.Repeat("<\"é&", CrmFeedback.MaxNoteLength / 4));

    [Fact]
    public async Task Lead_200RecyclesWithHostileFeedback_StillTakesWritesAndHistoryPagesInOrder()
    {
        await using var app = await FeedbackTesting.StartAsync();
        const string id = "lead-long-lived";
        const int recycles = 200;

        await RecycleAsync(app, id, recycles);

        var lead = await app.GetLeadAsync(id);
        Assert.Equal(200, lead.Status);
        Assert.Equal("MQL", lead.Status());
        Assert.Equal(recycles, lead.Json.GetProperty("recycleCount").GetInt32());
        var total = 1 + (3 * recycles);
        Assert.Equal(total, lead.Json.GetProperty("historyCount").GetInt32());
        var latest = lead.Json.GetProperty("history").EnumerateArray().ToList();
        Assert.InRange(latest.Count, 1, TableLeadLedger.HistoryOnRow);
        Assert.Equal("MQL", latest[^1].GetProperty("to").GetString());
        var row = await app.Layout.LeadLedger.GetEntityAsync<TableEntity>(TableKeys.Encode(id), TableLeadLedger.RowKey);
        Assert.InRange(row.Value.GetString("History")!.Length, 1, TableLeadLedger.HistoryBudget);

        var all = await ReadAllHistoryAsync(app, id);

        Assert.Equal(total, all.Count);
        Assert.Equal("MQL", all[0].GetProperty("to").GetString());
        for (var cycle = 0; cycle < recycles; cycle++)
        {
            Assert.Equal("DISQUALIFIED", all[1 + (3 * cycle)].GetProperty("to").GetString());
            Assert.Equal("NEW", all[2 + (3 * cycle)].GetProperty("to").GetString());
            Assert.Equal("MQL", all[3 + (3 * cycle)].GetProperty("to").GetString());
            Assert.Equal(cycle + 1, all[2 + (3 * cycle)].GetProperty("recycleCount").GetInt32());
        }

        var disqualified = all[1];
        Assert.Equal(HostileNote, disqualified.GetProperty("note").GetString());
        Assert.Equal("crm:" + HostileRep[..Smarketing.Core.Leads.TextCaps.Rep], disqualified.GetProperty("actor").GetString());
        Assert.Equal(latest.Select(e => e.GetRawText()), all.TakeLast(latest.Count).Select(e => e.GetRawText()));
    }

    [Fact]
    public async Task Lead_OldFormatRowWithWholeHistoryInItsColumn_ReadsAndIsCarriedOverOnItsNextWrite()
    {
        await using var app = await FeedbackTesting.StartAsync();
        const string id = "lead-old-format";
        await RecycleAsync(app, id, 10, hostile: false);
        var history = await ReadAllHistoryAsync(app, id);
        Assert.Equal(31, history.Count);
        await RewriteAsOldFormatAsync(app, id, history);

        var lead = await app.GetLeadAsync(id);
        Assert.Equal(200, lead.Status);
        Assert.Equal(31, lead.Json.GetProperty("historyCount").GetInt32());
        Assert.Equal(31, lead.HistoryLength());
        Assert.Equal(history.Select(e => e.GetRawText()), (await ReadAllHistoryAsync(app, id)).Select(e => e.GetRawText()));

        var disqualify = await app.PostFeedbackAsync(Disqualification(id, hostile: false));

        Assert.Equal(200, disqualify.Status);
        var after = await ReadAllHistoryAsync(app, id);
        Assert.Equal(32, after.Count);
        Assert.Equal(history.Select(e => e.GetRawText()), after.Take(31).Select(e => e.GetRawText()));
        Assert.Equal("DISQUALIFIED", after[^1].GetProperty("to").GetString());
        Assert.Equal(TableLeadLedger.HistoryOnRow, (await app.GetLeadAsync(id)).HistoryLength());
    }

    [Fact]
    public async Task LeadHistory_UnknownLeadOrBadFrom_404Or400()
    {
        await using var app = await FeedbackTesting.StartAsync();

        Assert.Equal(404, (await GetHistoryAsync(app, "lead-nobody", null)).Status);
        Assert.Equal(400, (await GetHistoryAsync(app, "lead-nobody", "0")).Status);
    }

    [Fact]
    public async Task OutboundMessage_OneLeadStorageRefusesForGood_OthersAppliedAndMessageAcknowledged()
    {
        await using var app = await FeedbackTesting.StartAsync();
        await app.HandOffAsync("lead-om-good-1", "lead-om-broken", "lead-om-good-2");
        var broken = (await app.Layout.LeadLedger.GetEntityAsync<TableEntity>(TableKeys.Encode("lead-om-broken"), TableLeadLedger.RowKey)).Value;
        broken["Status"] = "NOT_A_STATUS";
        await app.Layout.LeadLedger.UpdateEntityAsync(broken, broken.ETag, TableUpdateMode.Replace);
        var envelope = SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-good-1", "SQL", BudgetConfirmed: true, TimelineConfirmed: true),
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-broken", "SQL", BudgetConfirmed: true, TimelineConfirmed: true),
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-good-2", "DISQUALIFIED", Reason: "NOT_A_FIT"));

        var response = await app.PostOutboundMessageAsync(envelope);

        Assert.Equal(200, response.Status);
        Assert.Equal(SalesforceEnvelopes.ExpectedAck, response.Body);
        Assert.Equal("SQL", (await app.GetLeadAsync("lead-om-good-1")).Status());
        Assert.Equal("DISQUALIFIED", (await app.GetLeadAsync("lead-om-good-2")).Status());
        var unreadable = await app.GetLeadAsync("lead-om-broken");
        Assert.Equal(500, unreadable.Status);
        Assert.False(unreadable.Headers.ContainsKey("Retry-After"));
        Assert.Contains("lead-om-broken", unreadable.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_LeadStorageRefusesForGood_500NamingTheLeadWithoutRetryAfter()
    {
        await using var app = await FeedbackTesting.StartAsync();
        await app.HandOffAsync("lead-generic-broken");
        var broken = (await app.Layout.LeadLedger.GetEntityAsync<TableEntity>(TableKeys.Encode("lead-generic-broken"), TableLeadLedger.RowKey)).Value;
        broken["Status"] = "NOT_A_STATUS";
        await app.Layout.LeadLedger.UpdateEntityAsync(broken, broken.ETag, TableUpdateMode.Replace);

        var response = await app.PostFeedbackAsync("""{"leadId":"lead-generic-broken","status":"SQL","budgetConfirmed":true,"timelineConfirmed":true}""");

        Assert.Equal(500, response.Status);
        Assert.False(response.Headers.ContainsKey("Retry-After"));
        Assert.Contains("lead-generic-broken", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task RecycleAsync(TestApp app, string id, int recycles, bool hostile = true)
    {
        for (var cycle = 0; cycle <= recycles; cycle++)
        {
            var lead = Leads.Article(id);
            lead["campaign"] = $"campaign-{cycle}";
            var posted = await app.PostLeadAsync(lead.ToJsonString());
            Assert.True(posted.Status == 202, $"cycle {cycle}: {posted.Status} {posted.Body}");
            if (cycle == recycles)
            {
                break;
            }

            var feedback = await app.PostFeedbackAsync(Disqualification(id, hostile));
            Assert.True(feedback.Status == 200, $"cycle {cycle}: {feedback.Status} {feedback.Body}");
            app.Time.Advance(TimeSpan.FromDays(91));
        }
    }

    private static string Disqualification(string id, bool hostile = true) => new JsonObject
    {
        ["leadId"] = id,
        ["status"] = "DISQUALIFIED",
        ["reasonCode"] = "NOT_A_FIT",
        ["note"] = hostile ? HostileNote : "B2C shop, no team",
        ["rep"] = hostile ? HostileRep : "rep-ada",
    }.ToJsonString();

    private static async Task<List<JsonElement>> ReadAllHistoryAsync(TestApp app, string id)
    {
        var entries = new List<JsonElement>();
        string? from = null;
        do
        {
            var page = await GetHistoryAsync(app, id, from);
            Assert.Equal(200, page.Status);
            Assert.InRange(page.Json.GetProperty("entries").GetArrayLength(), 1, GetLeadHistory.PageSize);
            entries.AddRange(page.Json.GetProperty("entries").EnumerateArray().Select(e => e.Clone()));
            var next = page.Json.GetProperty("next");
            from = next.ValueKind == JsonValueKind.Null ? null : next.GetString()![(next.GetString()!.IndexOf("from=", StringComparison.Ordinal) + 5)..];
        }
        while (from is not null);
        return entries;
    }

    private static async Task<HttpResult> GetHistoryAsync(TestApp app, string id, string? from)
    {
        var request = TestApp.AdminRequest("GET", $"/api/leads/{id}/history");
        if (from is not null)
        {
            request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?from=" + from);
        }

        var result = await app.Function<GetLeadHistory>().Run(request, id, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    // The row as it was written before the history rows: the whole history in the column, no count, no history rows.
    private static async Task RewriteAsOldFormatAsync(TestApp app, string id, List<JsonElement> history)
    {
        var table = app.Layout.LeadLedger;
        var partition = TableKeys.Encode(id);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ne {TableLeadLedger.RowKey}")))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        var ledger = (await table.GetEntityAsync<TableEntity>(partition, TableLeadLedger.RowKey)).Value;
        ledger.Remove("HistoryCount");
        ledger["History"] = "[" + string.Join(',', history.Select(e => e.GetRawText())) + "]";
        await table.UpdateEntityAsync(ledger, ledger.ETag, TableUpdateMode.Replace);
    }
}
