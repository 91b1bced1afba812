using System.Text.Json.Nodes;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// A CRM record belongs to one lead: not shared by two leads with one e-mail address, not split by a changed address,
/// not shared by two ids that differ only in case. The whole app (intake, handoff, feedback) on Azurite against a fake
/// HubSpot on 127.0.0.1 that keeps unique values (e-mail address, <c>smarketing_lead_id</c>) case-insensitively as
/// HubSpot does.
/// </summary>
public sealed class HubSpotIdentityTests : IAsyncLifetime
{
    private FakeHubSpot _crm = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _crm = await FakeHubSpot.StartNewAsync();
        var settings = FeedbackTesting.Settings();
        foreach (var (key, value) in CrmTestSettings.For(_crm))
        {
            settings[key] = value;
        }

        _app = await TestApp.StartAsync(settings: settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _crm.DisposeAsync();
    }

    [Fact]
    public async Task Handoff_TwoLeadsWithOneEmailAddress_NeverOneContactTheSecondRefusedWithTheReason()
    {
        Assert.Equal(202, (await _app.PostLeadAsync(Leads.Article("lead-a").ToJsonString())).Status);
        Assert.Equal(202, (await _app.PostLeadAsync(Leads.Article("lead-b").ToJsonString())).Status);

        await RunHandoffsAsync();

        // HubSpot holds one contact per address: it is lead-a's, and lead-b was not merged into it.
        var contact = Assert.Single(_crm.Contacts());
        Assert.Equal("lead-a", contact["smarketing_lead_id"]!.ToString());
        var a = await _app.LedgerAsync("lead-a");
        Assert.Equal((LeadStatus.Sal, contact["hs_object_id"]!.ToString()), (a!.Status, a.CrmId));

        var refused = Assert.Single(await _app.DeadLettersAsync());
        Assert.Equal(("lead-b", "refused"), (refused.LeadId, refused.Kind));
        Assert.Contains("already has the e-mail address of lead 'lead-b' and belongs to lead 'lead-a'", refused.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("test@example.com", refused.Reason, StringComparison.Ordinal);
        var b = await _app.LedgerAsync("lead-b");
        Assert.Equal(LeadStatus.Mql, b!.Status);
        Assert.Null(b.CrmId);

        // The contact's sales feedback returns to the lead it belongs to.
        var feedback = await _app.PostHubSpotSignedAsync(HubSpotPayloads.LegacyContact(contact["smarketing_lead_id"]!.ToString(), "UNQUALIFIED", reason: "NOT_A_FIT"));
        Assert.Equal(200, feedback.Status);
        Assert.Equal(LeadStatus.Disqualified, (await _app.LedgerAsync("lead-a"))!.Status);
        Assert.Equal(LeadStatus.Mql, (await _app.LedgerAsync("lead-b"))!.Status);
    }

    [Fact]
    public async Task Leads_IdsThatDifferOnlyInCase_OneLeadInTheLedgerInHubSpotAndForFeedback()
    {
        var first = await _app.PostLeadAsync(Leads.Article("Lead-1").ToJsonString());
        var second = await _app.PostLeadAsync(Leads.Article("LEAD-1").ToJsonString());

        Assert.Equal((202, "lead-1"), (first.Status, first.Json.GetProperty("leadId").GetString()));
        Assert.Equal((202, "lead-1"), (second.Status, second.Json.GetProperty("leadId").GetString()));
        var ledgerRows = (await TestApp.RowsAsync(_app.Layout.LeadLedger)).Where(r => r.RowKey == "ledger").ToList();
        Assert.Equal("lead-1", Assert.Single(ledgerRows).GetString("LeadId"));

        await RunHandoffsAsync();

        var contact = Assert.Single(_crm.Contacts());
        Assert.Equal("lead-1", contact["smarketing_lead_id"]!.ToString());
        Assert.Empty(await _app.DeadLettersAsync());

        // Lookups and feedback under any spelling reach the one lead.
        var lookup = await _app.GetLeadAsync("lEaD-1");
        Assert.Equal((200, "lead-1", "SAL"), (lookup.Status, lookup.Json.GetProperty("leadId").GetString(), lookup.Json.GetProperty("status").GetString()));
        var feedback = await _app.PostFeedbackAsync(new JsonObject { ["leadId"] = "Lead-1", ["status"] = "DISQUALIFIED", ["reasonCode"] = "NOT_A_FIT" }.ToJsonString());
        Assert.Equal(200, feedback.Status);
        Assert.Equal(LeadStatus.Disqualified, (await _app.LedgerAsync("lead-1"))!.Status);
        Assert.Equal("lead-1", Assert.Single(await TestApp.RowsAsync(_app.Layout.DisqualificationFeedback)).GetString("LeadId"));
    }

    [Fact]
    public async Task GetLead_RowStoredBeforeIdsWereFolded_StillReadableUnderItsSpelling()
    {
        var ledger = (ILeadLedger)_app.Services.GetService(typeof(ILeadLedger))!;
        await ledger.SaveAsync(Lead.Create("Lead-Old-1", _app.Time.GetUtcNow()), CancellationToken.None);

        var lookup = await _app.GetLeadAsync("Lead-Old-1");

        Assert.Equal((200, "Lead-Old-1"), (lookup.Status, lookup.Json.GetProperty("leadId").GetString()));
        Assert.Equal(404, (await _app.GetLeadAsync("LEAD-OLD-1")).Status);
    }

    [Theory]
    [InlineData("Lead-1", "lead-1")]
    [InlineData("00Q5e00000AbCdE", "00q5e00000abcde")]
    [InlineData("lead-\u0131", "lead-i")]
    [InlineData("LEAD-\u0130", "lead-i")]
    [InlineData("lead-\u017F", "lead-s")]
    [InlineData("lead-\u212A", "lead-k")]
    [InlineData("lead-\u00C9", "lead-\u00E9")]
    public void NormalizeLeadId_IdsThatACaseInsensitiveCrmTakesAsEqual_OneSpelling(string id, string expected)
    {
        Assert.Equal(expected, Identifiers.NormalizeLeadId(id));
        Assert.Equal(expected, Identifiers.NormalizeLeadId(expected));
    }

    private async Task RunHandoffsAsync()
    {
        var listener = _app.HandoffListener(TimeSpan.FromMilliseconds(100));
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, listener.Failures);
    }
}
