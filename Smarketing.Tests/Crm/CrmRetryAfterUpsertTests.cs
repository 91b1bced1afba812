using System.Text;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Leads;
using Smarketing.Functions;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// The upsert reached the CRM but the ledger's MQL → SAL move failed: the record id is on the ledger already, and
/// the redelivered handoff leaves what a rep changed in the CRM in between alone.
/// </summary>
public sealed class CrmRetryAfterUpsertTests
{
    private const string LeadId = "lead-article-1";
    private const string Email = "test@example.com";
    private const string RepOwner = "rep-from-the-crm";

    [Theory]
    [InlineData("Salesforce")]
    [InlineData("HubSpot")]
    [InlineData("Sandbox")]
    public async Task Handoff_UpsertOkLedgerMoveFailedThenRepReassigned_RetryKeepsTheCrmOwnerAndStatus(string provider)
    {
        await using var crm = await CrmTestApp.StartCrmRecordsAsync(provider);
        var fault = new FaultInjectionPolicy(IsLedgerMoveToSal);
        await using var app = await StartAsync(crm, fault);
        var message = await HandOffWithFailedLedgerMoveAsync(app, fault);

        // The upsert's answer reached the ledger before the move that failed.
        var record = await crm.FindAsync(app, LeadId, Email);
        Assert.NotNull(record);
        var pending = await app.LedgerAsync(LeadId);
        Assert.Equal(LeadStatus.Mql, pending!.Status);
        Assert.Equal(record.Id, pending.CrmId);
        Assert.NotNull(pending.Handoff.CrmRecordedAt);
        Assert.Equal(1, pending.Handoff.Failures);
        var routed = pending.OwnerId;
        Assert.Equal(routed, record.OwnerId);

        await crm.ChangeAsRepAsync(app, LeadId, Email, RepOwner, crm.RepStatus);
        await app.Function<HandOffMql>().Run(message, CancellationToken.None);

        Assert.Equal(new CrmRecordView(record.Id, RepOwner, crm.RepStatus), await crm.FindAsync(app, LeadId, Email));
        var handedOff = await app.LedgerAsync(LeadId);
        Assert.Equal(LeadStatus.Sal, handedOff!.Status);
        Assert.Equal(record.Id, handedOff.CrmId);

        // The ledger keeps the owner the handoff routed the lead to; the CRM's owner wins in the CRM (docs/crm-*.md).
        Assert.Equal(routed, handedOff.OwnerId);
        Assert.Equal((record.Id, routed), (handedOff.History[^1].CrmRecordId, handedOff.History[^1].OwnerId));
    }

    [Theory]
    [InlineData("Salesforce")]
    [InlineData("HubSpot")]
    [InlineData("Sandbox")]
    public async Task Handoff_UpsertOkLedgerMoveFailedThenRecordDeletedInTheCrm_RetryCreatesItWithOwnerAndStatus(string provider)
    {
        await using var crm = await CrmTestApp.StartCrmRecordsAsync(provider);
        var fault = new FaultInjectionPolicy(IsLedgerMoveToSal);
        await using var app = await StartAsync(crm, fault);
        var message = await HandOffWithFailedLedgerMoveAsync(app, fault);
        var first = await crm.FindAsync(app, LeadId, Email);

        await crm.DeleteAsync(app, LeadId, Email);
        await app.Function<HandOffMql>().Run(message, CancellationToken.None);

        var again = await crm.FindAsync(app, LeadId, Email);
        var handedOff = await app.LedgerAsync(LeadId);
        Assert.Equal(LeadStatus.Sal, handedOff!.Status);
        Assert.Equal(again!.Id, handedOff.CrmId);
        Assert.Equal((first!.OwnerId, first.Status), (again.OwnerId, again.Status));
    }

    private static Task<TestApp> StartAsync(ICrmRecords crm, FaultInjectionPolicy fault) => TestApp.StartAsync(
        b => b.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(fault, HttpPipelinePosition.PerCall)),
        CrmTestSettings.For(crm));

    // Posts the article's lead and runs its handoff once with the ledger's SAL move failing; returns the message to redeliver.
    private static async Task<Azure.Storage.Queues.Models.QueueMessage> HandOffWithFailedLedgerMoveAsync(TestApp app, FaultInjectionPolicy fault)
    {
        await app.PostLeadAsync(Leads.Article().ToJsonString());
        var message = Assert.Single((await app.Layout.Handoff.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(5))).Value);
        fault.Failing = true;
        await Assert.ThrowsAnyAsync<Exception>(() => app.Function<HandOffMql>().Run(message, CancellationToken.None));
        fault.Failing = false;
        Assert.Equal(1, fault.Injected);
        return message;
    }

    // The MQL → SAL write of the ledger, and no other: the upsert's record id is written before it.
    // The ledger row is written alone or in an entity-group batch with its history rows (the batch names the table in
    // its body), so a write of the SAL move is one whose body carries the status, to the LeadLedger table either way.
    private static bool IsLedgerMoveToSal(HttpMessage message)
    {
        var request = message.Request;
        if (request.Method == RequestMethod.Get || request.Content is null)
        {
            return false;
        }

        using var body = new MemoryStream();
        request.Content.WriteTo(body, CancellationToken.None);
        var text = Encoding.UTF8.GetString(body.ToArray());
        return text.Contains("\"Status\":\"SAL\"", StringComparison.Ordinal)
            && (request.Uri.Path.Contains("LeadLedger", StringComparison.Ordinal) || text.Contains("LeadLedger", StringComparison.Ordinal));
    }
}
