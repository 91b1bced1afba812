using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Smarketing.Core.Contracts;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Pipeline;

/// <summary>The article's story through the real functions, on real Azurite, dispatched as the host does.</summary>
public sealed class PipelineEndToEndTests
{
    [Fact]
    public async Task ArticleLead_WebhookToCrmToDisqualification_EveryStepRecorded()
    {
        await using var app = await TestApp.StartAsync();

        // 1. The marketing webhook: 202, score 80 with its reasons, MQL.
        var posted = await app.PostLeadAsync(Leads.Article().ToJsonString());
        Assert.Equal(202, posted.Status);
        Assert.Equal("MQL", posted.Json.GetProperty("status").GetString());
        Assert.Equal(80, posted.Json.GetProperty("score").GetInt32());
        Assert.True(posted.Json.GetProperty("handoffEnqueued").GetBoolean());
        Assert.NotEmpty(posted.Json.GetProperty("explanation").EnumerateArray());

        // 2. A base64 message on mql-handoff, as the queue trigger expects.
        var raw = new QueueClient(app.ConnectionString, HandoffMessage.QueueName);
        var peeked = (await raw.PeekMessagesAsync(10)).Value;
        var single = Assert.Single(peeked);
        var decoded = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(single.MessageText))).RootElement;
        Assert.Equal("lead-article-1", decoded.GetProperty("leadId").GetString());
        Assert.Equal(80, decoded.GetProperty("score").GetInt32());
        Assert.Equal(DateTimeOffset.MaxValue.Year, single.ExpiresOn!.Value.Year);

        // 3. The host dispatches it to HandOffMql; success deletes it.
        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, listener.Invocations);
        Assert.Equal(0, listener.Failures);
        Assert.Empty(await TestApp.PeekAsync(app.Layout.Handoff));

        // 4. The sandbox CRM holds the article's payload.
        var crm = Assert.Single(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        Assert.Equal("SAL", crm.GetString("LeadStatus"));
        Assert.Equal(80, crm.GetInt32("MQL_Score__c"));
        Assert.Equal("test@example.com", crm.GetString("Email"));
        var owner = crm.GetString("OwnerId");
        Assert.Contains(owner, new[] { "rep-ada", "rep-grace", "rep-linus" });
        Assert.False(string.IsNullOrEmpty(crm.GetString("Last_Interesting_Moment__c")));

        // 5. The ledger moved MQL → SAL with the handoff.
        var lead = (await app.GetLeadAsync("lead-article-1")).Json;
        Assert.Equal("SAL", lead.GetProperty("status").GetString());
        Assert.Equal(owner, lead.GetProperty("ownerId").GetString());
        Assert.Equal(crm.GetString("Id"), lead.GetProperty("crmId").GetString());
        var moves = lead.GetProperty("history").EnumerateArray().Select(e => $"{e.GetProperty("from").GetString()}->{e.GetProperty("to").GetString()}").ToList();
        Assert.Equal(["NEW->MQL", "MQL->SAL"], moves);

        // 6. Sales disqualifies it: a feedback row carrying the lead's campaign, and the ledger DISQUALIFIED.
        var feedback = await app.PostFeedbackAsync("""{"leadId":"lead-article-1","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT","note":"B2C shop","rep":"rep-grace"}""");
        Assert.Equal(200, feedback.Status);
        var row = Assert.Single(await TestApp.RowsAsync(app.Layout.DisqualificationFeedback));
        Assert.Equal(Leads.Campaign, row.GetString("Campaign"));
        Assert.Equal(Leads.Campaign, row.PartitionKey);
        Assert.Equal("NOT_A_FIT", row.GetString("ReasonCode"));
        Assert.Equal("fit", row.GetString("ReasonCategory"));
        Assert.Equal(80, row.GetInt32("Score"));
        Assert.Equal("SAL", row.GetString("FromStatus"));
        Assert.Equal("rep-grace", row.GetString("Rep"));
        Assert.Equal("webinar", row.GetString("Source"));
        Assert.Equal(posted.Json.GetProperty("modelVersion").GetString(), row.GetString("ModelVersion"));

        var after = (await app.GetLeadAsync("lead-article-1")).Json;
        Assert.Equal("DISQUALIFIED", after.GetProperty("status").GetString());
        Assert.Equal(3, after.GetProperty("history").GetArrayLength());
    }
}
