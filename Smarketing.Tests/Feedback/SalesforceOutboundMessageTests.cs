using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Smarketing.Functions;
using Smarketing.Functions.Composition;
using Smarketing.Tests.Infrastructure;
using Smarketing.Functions.Storage;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>Salesforce Outbound Messages through the real function, on Azurite.</summary>
public sealed class SalesforceOutboundMessageTests(FeedbackAppFixture fixture) : IClassFixture<FeedbackAppFixture>
{
    private static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";
    private readonly TestApp _app = fixture.App;

    [Fact]
    public async Task OutboundMessage_TwoNotifications_BothAppliedAndTheExactAckReturned()
    {
        await _app.HandOffAsync("lead-om-two-1", "lead-om-two-2");
        string n1 = FeedbackTesting.NewNotificationId(), n2 = FeedbackTesting.NewNotificationId();
        var envelope = SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(n1, "lead-om-two-1", "DISQUALIFIED", Reason: "NOT_A_FIT", Note: "B2C shop, no team", OwnerId: "005o0000002GraceAA"),
            new LeadNotification(n2, "lead-om-two-2", "SQL", BudgetConfirmed: true, TimelineConfirmed: true, RecordId: "00Qo000000HVEMqEAP"));

        var response = await _app.PostOutboundMessageAsync(envelope);

        Assert.Equal(200, response.Status);
        Assert.Equal("text/xml; charset=utf-8", response.ContentType);
        Assert.Equal(SalesforceEnvelopes.ExpectedAck, response.Body);
        Assert.Equal("DISQUALIFIED", (await _app.GetLeadAsync("lead-om-two-1")).Status());
        Assert.Equal("SQL", (await _app.GetLeadAsync("lead-om-two-2")).Status());
        var row = Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-om-two-1"));
        Assert.Equal("NOT_A_FIT", row.GetString("ReasonCode"));
        Assert.Equal("B2C shop, no team", row.GetString("Note"));
        Assert.Equal("005o0000002GraceAA", row.GetString("Rep"));
        Assert.Empty(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-om-two-2"));
        var seen = (await TestApp.RowsAsync(_app.Deliveries()))
            .Where(r => r.GetString("LeadId") is "lead-om-two-1" or "lead-om-two-2")
            .Select(r => (r.PartitionKey, r.RowKey)).Order().ToList();
        Assert.Equal([("salesforce-om:00Do0000000e0vQ", n1), ("salesforce-om:00Do0000000e0vQ", n2)], seen);
    }

    [Fact]
    public async Task OutboundMessage_TwoMovesOfOneLead_AppliedInDocumentOrder()
    {
        await _app.HandOffAsync("lead-om-order");
        var envelope = SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-order", "SQL", BudgetConfirmed: true, TimelineConfirmed: true),
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-order", "CLOSED_WON", BudgetConfirmed: true, TimelineConfirmed: true));

        var response = await _app.PostOutboundMessageAsync(envelope);

        Assert.Equal(200, response.Status);
        var moves = (await _app.GetLeadAsync("lead-om-order")).Json.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("to").GetString());
        Assert.Equal(["MQL", "SAL", "SQL", "CLOSED_WON"], moves);
    }

    [Fact]
    public async Task OutboundMessage_RedeliveredEnvelope_AckedAgainAndNothingWritten()
    {
        await _app.HandOffAsync("lead-om-redo-1", "lead-om-redo-2");
        var envelope = SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-redo-1", "DISQUALIFIED", Reason: "BAD_TIMING"),
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-redo-2", "SQL", BudgetConfirmed: true, TimelineConfirmed: true));
        Assert.Equal(200, (await _app.PostOutboundMessageAsync(envelope)).Status);
        var before = await _app.SnapshotAsync();

        var redelivered = await _app.PostOutboundMessageAsync(envelope);

        Assert.Equal(200, redelivered.Status);
        Assert.Equal(SalesforceEnvelopes.ExpectedAck, redelivered.Body);
        Assert.Equal(before, await _app.SnapshotAsync());
        Assert.Equal(3, (await _app.GetLeadAsync("lead-om-redo-1")).HistoryLength());
        Assert.Equal(3, (await _app.GetLeadAsync("lead-om-redo-2")).HistoryLength());
    }

    [Fact]
    public async Task OutboundMessage_RedeliveredToANewInstanceAfterLaterMoves_SkippedByItsNotificationId()
    {
        await _app.HandOffAsync("lead-om-restart");
        var envelope = SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-restart", "SQL", BudgetConfirmed: true, TimelineConfirmed: true));
        Assert.Equal(200, (await _app.PostOutboundMessageAsync(envelope)).Status);
        Assert.Equal(200, (await _app.PostFeedbackAsync("""{"leadId":"lead-om-restart","status":"CLOSED_WON","rep":"rep-ada"}""")).Status);

        // A fresh process on the same storage account: only the persisted notification ids can recognise the old
        // SQL notification; replayed, it would be a refused CLOSED_WON → SQL move.
        await using var restarted = await Instance.StartAsync(_app.ConnectionString);
        var request = HttpInvoker.Request("POST", "/api/crm/feedback/salesforce-outbound", envelope, "text/xml; charset=utf-8");
        request.QueryString = new QueryString("?token=" + FeedbackTesting.OutboundSecret);
        var redelivered = await HttpInvoker.ExecuteAsync(request, await restarted.Function<RecordSalesforceOutboundMessage>().Run(request, CancellationToken.None));

        Assert.Equal(200, redelivered.Status);
        Assert.Equal(SalesforceEnvelopes.ExpectedAck, redelivered.Body);
        var lead = await _app.GetLeadAsync("lead-om-restart");
        Assert.Equal("CLOSED_WON", lead.Status());
        Assert.Equal(4, lead.HistoryLength());
    }

    [Fact]
    public async Task OutboundMessage_PicklistValues_TranslatedByTheConfiguredMaps()
    {
        await _app.HandOffAsync("lead-om-maps");

        var response = await _app.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-maps", "Closed - Not Converted", Reason: "No budget")));

        Assert.Equal(200, response.Status);
        var row = Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-om-maps"));
        Assert.Equal("NO_BUDGET", row.GetString("ReasonCode"));
        Assert.Equal("fit", row.GetString("ReasonCategory"));
    }

    [Fact]
    public async Task OutboundMessage_UnknownReason_400FaultNamingTheAllowedCodes_NothingWritten()
    {
        await _app.HandOffAsync("lead-om-reason");
        var id = FeedbackTesting.NewNotificationId();
        var before = await _app.SnapshotAsync();

        var response = await _app.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(id, "lead-om-reason", "DISQUALIFIED", Reason: "Didn't like them")));

        Assert.Equal(400, response.Status);
        var fault = Fault(response);
        Assert.Contains($"[{id}]", fault, StringComparison.Ordinal);
        Assert.Contains("'Didn't like them' is not configured for DISQUALIFIED", fault, StringComparison.Ordinal);
        Assert.Contains("BAD_TIMING, COMPETITOR, DUPLICATE, NOT_A_FIT, NO_BUDGET, TOO_SMALL, UNRESPONSIVE", fault, StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task OutboundMessage_UnknownLead_404FaultAndNothingWritten()
    {
        var before = await _app.SnapshotAsync();

        var response = await _app.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-nobody", "DISQUALIFIED", Reason: "NOT_A_FIT")));

        Assert.Equal(404, response.Status);
        Assert.Contains("Lead 'lead-nobody' is not in the ledger.", Fault(response), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task OutboundMessage_ForbiddenMove_409FaultNamingFromAndTo_NothingWritten()
    {
        await _app.HandOffAsync("lead-om-forbidden");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-forbidden", "CLOSED_WON")));

        Assert.Equal(409, response.Status);
        Assert.Contains("SAL → CLOSED_WON is not a move of the lifecycle contract", Fault(response), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task OutboundMessage_OneBadNotification_GoodOneRecordedBadOneFaultedAndStillFaultedOnRedelivery()
    {
        await _app.HandOffAsync("lead-om-mixed-1", "lead-om-mixed-2");
        var bad = FeedbackTesting.NewNotificationId();
        var envelope = SalesforceEnvelopes.Build(
            FeedbackTesting.OrganizationId,
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-mixed-1", "DISQUALIFIED", Reason: "UNRESPONSIVE"),
            new LeadNotification(bad, "lead-om-mixed-2", "CLOSED_LOST", Reason: "PRICE"));

        var first = await _app.PostOutboundMessageAsync(envelope);
        var afterFirst = await _app.SnapshotAsync();
        var second = await _app.PostOutboundMessageAsync(envelope);

        Assert.Equal(409, first.Status);
        Assert.Contains("1 of 2 notification(s) refused; the others are recorded", Fault(first), StringComparison.Ordinal);
        var problem = Assert.Single(XDocument.Parse(first.Body).Descendants(XName.Get("notificationProblem", "http://soap.sforce.com/2005/09/outbound")));
        Assert.Equal(bad, problem.Attribute("notificationId")!.Value);
        Assert.Equal("DISQUALIFIED", (await _app.GetLeadAsync("lead-om-mixed-1")).Status());
        Assert.Equal("SAL", (await _app.GetLeadAsync("lead-om-mixed-2")).Status());
        Assert.Single(await FeedbackTesting.RowsOfAsync(_app.Layout.DisqualificationFeedback, "lead-om-mixed-1"));
        Assert.Equal(409, second.Status);
        Assert.Equal(afterFirst, await _app.SnapshotAsync());
    }

    [Theory]
    [InlineData("not xml at all", "not well-formed XML")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>&e;</soapenv:Body></soapenv:Envelope>", "DTD")]
    [InlineData("<Envelope><Body/></Envelope>", "SOAP 1.1 Envelope")]
    [InlineData("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><notifications/></soapenv:Body></soapenv:Envelope>", "notifications element")]
    [InlineData("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"><OrganizationId>00Do0000000e0vQEAQ</OrganizationId></notifications></soapenv:Body></soapenv:Envelope>", "no Notification")]
    [InlineData("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"><Notification><Id>04lo000000HVEMpQAP</Id></Notification></notifications></soapenv:Body></soapenv:Envelope>", "OrganizationId")]
    [InlineData("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"><OrganizationId>00Do0000000e0vQEAQ</OrganizationId><Notification><sObject/></Notification></notifications></soapenv:Body></soapenv:Envelope>", "Notification[0].Id")]
    public async Task OutboundMessage_Malformed_400FaultSayingWhatIsWrong_NothingWritten(string body, string expected)
    {
        var before = await _app.SnapshotAsync();

        var response = await _app.PostOutboundMessageAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Equal("text/xml; charset=utf-8", response.ContentType);
        Assert.Contains(expected, Fault(response), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task OutboundMessage_NotificationWithoutTheLeadIdField_400FaultNamingTheField()
    {
        await _app.HandOffAsync("lead-om-nofield");
        var envelope = SalesforceEnvelopes.Build(FeedbackTesting.OrganizationId, new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-nofield", "DISQUALIFIED", Reason: "NOT_A_FIT"))
            .Replace("<sf:Smarketing_Lead_Id__c>lead-om-nofield</sf:Smarketing_Lead_Id__c>", string.Empty, StringComparison.Ordinal);
        var before = await _app.SnapshotAsync();

        var response = await _app.PostOutboundMessageAsync(envelope);

        Assert.Equal(400, response.Status);
        Assert.Contains("Smarketing_Lead_Id__c", Fault(response), StringComparison.Ordinal);
        Assert.Contains("add the field to the outbound message's fields", Fault(response), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task OutboundMessage_101Notifications_400FaultAndNothingWritten()
    {
        await _app.HandOffAsync("lead-om-101");
        var notifications = Enumerable.Range(0, 101)
            .Select(_ => new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-101", "SAL"))
            .ToArray();
        var before = await _app.SnapshotAsync();

        var response = await _app.PostOutboundMessageAsync(SalesforceEnvelopes.Build(FeedbackTesting.OrganizationId, notifications));

        Assert.Equal(400, response.Status);
        Assert.Contains("at most 100 notifications; this one holds 101", Fault(response), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task OutboundMessage_100Notifications_AllAcknowledged()
    {
        var ids = Enumerable.Range(0, 10).Select(i => $"lead-om-100-{i}").ToArray();
        await _app.HandOffAsync(ids);
        var notifications = Enumerable.Range(0, 100)
            .Select(i => new LeadNotification(FeedbackTesting.NewNotificationId(), ids[i % 10], i < 90 ? "SAL" : "DISQUALIFIED", Reason: i < 90 ? null : "UNRESPONSIVE"))
            .ToArray();

        var response = await _app.PostOutboundMessageAsync(SalesforceEnvelopes.Build(FeedbackTesting.OrganizationId, notifications));

        Assert.Equal(200, response.Status);
        Assert.Equal(100, (await TestApp.RowsAsync(_app.Deliveries())).Count(r => ids.Contains(r.GetString("LeadId"))));
        foreach (var id in ids)
        {
            var lead = await _app.GetLeadAsync(id);
            Assert.Equal("DISQUALIFIED", lead.Status());
            Assert.Equal(3, lead.HistoryLength());
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-0000000000")]
    public async Task OutboundMessage_MissingOrWrongToken_401FaultAndNothingWritten(string? token)
    {
        await _app.HandOffAsync("lead-om-token");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostOutboundMessageAsync(
            SalesforceEnvelopes.Build(FeedbackTesting.OrganizationId, new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-token", "DISQUALIFIED", Reason: "NOT_A_FIT")),
            token);

        Assert.Equal(401, response.Status);
        Assert.Contains("token", Fault(response), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task OutboundMessage_FromAnotherOrg_401FaultAndNothingWritten()
    {
        await _app.HandOffAsync("lead-om-org");
        var before = await _app.SnapshotAsync();

        var response = await _app.PostOutboundMessageAsync(SalesforceEnvelopes.Build(
            "00D5e000001AbCdEAK",
            new LeadNotification(FeedbackTesting.NewNotificationId(), "lead-om-org", "DISQUALIFIED", Reason: "NOT_A_FIT")));

        Assert.Equal(401, response.Status);
        Assert.Contains("00D5e000001AbCdEAK is not one of Feedback:Salesforce:OrganizationIds", Fault(response), StringComparison.Ordinal);
        Assert.Equal(before, await _app.SnapshotAsync());
    }

    [Fact]
    public async Task OutboundMessage_JsonContentType_415Fault()
    {
        var response = await _app.PostOutboundMessageAsync("{}", contentType: "application/json");

        Assert.Equal(415, response.Status);
        Assert.Contains("text/xml", Fault(response), StringComparison.Ordinal);
    }

    internal static string Fault(HttpResult response)
    {
        var fault = XDocument.Parse(response.Body).Root!.Element(Soap + "Body")!.Element(Soap + "Fault")!;
        Assert.Equal("soapenv:Client", fault.Element("faultcode")!.Value);
        return fault.Element("faultstring")!.Value;
    }

    /// <summary>A second worker process on the same storage account, built by the app's own composition root.</summary>
    private sealed class Instance : IAsyncDisposable
    {
        private readonly IHost _host;

        private Instance(IHost host) => _host = host;

        public static async Task<Instance> StartAsync(string connectionString)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
            var settings = new Dictionary<string, string?>(TestApp.DefaultSettings) { [StorageOptions.ConnectionSetting] = connectionString };
            foreach (var (key, value) in FeedbackTesting.Settings())
            {
                settings[key] = value;
            }

            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero)));
            builder.AddSmarketing();
            var host = builder.Build();
            await host.StartAsync();
            return new Instance(host);
        }

        public T Function<T>() => ActivatorUtilities.CreateInstance<T>(_host.Services);

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}
