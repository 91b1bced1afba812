using System.Text;
using Smarketing.Core.Feedback;
using Smarketing.Core.Feedback.HubSpot;
using Smarketing.Core.Feedback.SalesforceOutbound;
using Smarketing.Core.Leads;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>The vendor formats' readers and the value maps, without storage.</summary>
public sealed class FeedbackParsingTests
{
    private static readonly FeedbackFieldMap SalesforceFields = new SalesforceOutboundOptions().Fields;
    private static readonly FeedbackFieldMap HubSpotFields = new HubSpotFeedbackOptions().Fields;

    [Fact]
    public void OutboundMessage_RealisticEnvelope_EveryNotificationRead()
    {
        var envelope = SalesforceEnvelopes.Build(
            "00Do0000000e0vQEAQ",
            new LeadNotification("04lo000000HVEMpQAP", "lead-1", "DISQUALIFIED", Reason: "NOT_A_FIT", Note: "Agency <resells> & more", OwnerId: "005o0000002GraceAA"),
            new LeadNotification("04lo000000HVEMqQAP", "lead-2", "SQL", BudgetConfirmed: true, TimelineConfirmed: false));

        var message = SalesforceOutboundMessage.TryParse(Encoding.UTF8.GetBytes(envelope), SalesforceFields, CrmValueMap.Identity, out var errors);

        Assert.True(errors.IsEmpty, errors.ToString());
        Assert.Equal("00Do0000000e0vQEAQ", message!.OrganizationId);
        Assert.Equal("04ko0000000TpXOQAY", message.ActionId);
        Assert.Equal(["04lo000000HVEMpQAP", "04lo000000HVEMqQAP"], message.Notifications.Select(n => n.Id));
        Assert.All(message.Notifications, n => Assert.Equal("Lead", n.SObjectType));
        var first = message.Notifications[0].Item.Feedback!;
        Assert.Equal(("lead-1", LeadStatus.Disqualified, "NOT_A_FIT", "Agency <resells> & more", "005o0000002GraceAA"), (first.LeadId, first.Status, first.ReasonCode, first.Note, first.Rep));
        var second = message.Notifications[1].Item.Feedback!;
        Assert.Equal((LeadStatus.Sql, null, true, false), (second.Status, second.ReasonCode, second.BudgetConfirmed, second.TimelineConfirmed));
        Assert.Equal("04lo000000HVEMqQAP", message.Notifications[1].Item.DeliveryId);
    }

    [Fact]
    public void OutboundMessage_BadNotification_OnlyThatOneCarriesErrors()
    {
        var envelope = SalesforceEnvelopes.Build(
            "00Do0000000e0vQEAQ",
            new LeadNotification("04lo000000HVEMpQAP", "lead-1", "Working", Reason: null),
            new LeadNotification("04lo000000HVEMqQAP", "lead-2", "SAL"));

        var message = SalesforceOutboundMessage.TryParse(Encoding.UTF8.GetBytes(envelope), SalesforceFields, CrmValueMap.Identity, out var errors);

        Assert.True(errors.IsEmpty);
        Assert.Null(message!.Notifications[0].Item.Feedback);
        Assert.Equal(["Notification[0].sObject.Status"], message.Notifications[0].Item.Errors!.Fields);
        Assert.NotNull(message.Notifications[1].Item.Feedback);
    }

    [Fact]
    public void OutboundMessage_NoteLongerThanKept_CutNotRefused()
    {
        var note = new string('n', 1500);
        var envelope = SalesforceEnvelopes.Build("00Do0000000e0vQEAQ", new LeadNotification("04lo000000HVEMpQAP", "lead-1", "DISQUALIFIED", Reason: "NOT_A_FIT", Note: note));

        var message = SalesforceOutboundMessage.TryParse(Encoding.UTF8.GetBytes(envelope), SalesforceFields, CrmValueMap.Identity, out _);

        var kept = message!.Notifications[0].Item.Feedback!.Note!;
        Assert.Equal(1000, kept.Length);
        Assert.EndsWith("n…", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void OutboundMessage_ExternalEntity_RefusedWithoutResolvingIt()
    {
        const string body = """<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:9/">]><d>&x;</d>""";

        var message = SalesforceOutboundMessage.TryParse(Encoding.UTF8.GetBytes(body), SalesforceFields, CrmValueMap.Identity, out var errors);

        Assert.Null(message);
        Assert.Contains("DTD", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HubSpot_LegacyContact_PropertiesReadFromTheirValue()
    {
        var item = HubSpotWorkflowPayload.Read(Encoding.UTF8.GetBytes(HubSpotPayloads.LegacyContact("lead-1", "UNQUALIFIED", "DUPLICATE", "same as lead-0")), HubSpotFields, Values(HubSpotFields));

        var feedback = item.Feedback!;
        Assert.Equal(("lead-1", LeadStatus.Disqualified, "DUPLICATE", "same as lead-0", "81234567"), (feedback.LeadId, feedback.Status, feedback.ReasonCode, feedback.Note, feedback.Rep));
    }

    [Fact]
    public void HubSpot_CrmV3Object_PropertiesReadAsStrings()
    {
        const string body = """{"id":"3234574","properties":{"smarketing_lead_id":"lead-1","hs_lead_status":"SQL","smarketing_budget_confirmed":"true","smarketing_timeline_confirmed":true},"archived":false}""";

        var feedback = HubSpotWorkflowPayload.Read(Encoding.UTF8.GetBytes(body), HubSpotFields, Values(HubSpotFields)).Feedback!;

        Assert.Equal((LeadStatus.Sql, true, true), (feedback.Status, feedback.BudgetConfirmed, feedback.TimelineConfirmed));
    }

    [Theory]
    [InlineData("[]", "$")]
    [InlineData("{\"smarketing_lead_id\":\"lead-1\"}", "hs_lead_status")]
    [InlineData("{\"smarketing_lead_id\":\"lead-1\",\"hs_lead_status\":\"SQL\",\"smarketing_budget_confirmed\":\"maybe\"}", "smarketing_budget_confirmed")]
    [InlineData("{\"hs_lead_status\":\"SQL\"}", "smarketing_lead_id")]
    [InlineData("{not json", "$")]
    public void HubSpot_BadBody_ItemNamesTheField(string body, string field)
    {
        var item = HubSpotWorkflowPayload.Read(Encoding.UTF8.GetBytes(body), HubSpotFields, Values(HubSpotFields));

        Assert.Null(item.Feedback);
        Assert.Contains(field, item.Errors!.Fields);
    }

    [Fact]
    public void ValueMap_EntriesWithSpacesAndImpliedReasons_Translated()
    {
        var errors = new List<string>();
        var map = CrmValueMap.Parse("Closed - Not Converted = DISQUALIFIED ; BAD_TIMING=DISQUALIFIED:BAD_TIMING", "No budget this year=NO_BUDGET", "X", errors);

        Assert.Empty(errors);
        Assert.True(map.TryMapStatus("Closed - Not Converted", out var closed));
        Assert.Equal((LeadStatus.Disqualified, null), (closed.Status, closed.DefaultReasonCode));
        Assert.True(map.TryMapStatus("BAD_TIMING", out var timing));
        Assert.Equal("BAD_TIMING", timing.DefaultReasonCode);
        Assert.True(map.TryMapStatus("CLOSED_WON", out var won));
        Assert.Equal(LeadStatus.ClosedWon, won.Status);
        Assert.False(map.TryMapStatus("closed_won", out _));
        Assert.Equal("NO_BUDGET", map.MapReason("No budget this year"));
        Assert.Equal("PRICE", map.MapReason("PRICE"));
    }

    [Theory]
    [InlineData("Open", "Feedback:X:StatusMap has the entry 'Open'")]
    [InlineData("Open=OPEN", "maps 'Open' to 'OPEN', which is not one of NEW, MQL")]
    [InlineData("A=SAL;A=SQL", "maps 'A' more than once")]
    public void ValueMap_BadEntry_ErrorNamesTheSetting(string statusMap, string expected)
    {
        var errors = new List<string>();

        CrmValueMap.Parse(statusMap, null, "Feedback:X", errors);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    private static CrmValueMap Values(FeedbackFieldMap fields)
    {
        var errors = new List<string>();
        var map = CrmValueMap.Parse(fields.StatusMap, fields.ReasonMap, "test", errors);
        Assert.Empty(errors);
        return map;
    }
}
