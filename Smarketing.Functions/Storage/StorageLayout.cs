using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Hosting;
using Smarketing.Core.Contracts;

namespace Smarketing.Functions.Storage;

/// <summary>The tables and queues of the pipeline, and the clients that reach them.</summary>
public sealed class StorageLayout(TableServiceClient tables, QueueServiceClient queues)
{
    public const string LeadLedgerTable = "LeadLedger";
    public const string DisqualificationFeedbackTable = "DisqualificationFeedback";
    public const string SandboxCrmTable = "SandboxCrmLeads";
    public const string OwnerAssignmentTable = "OwnerAssignment";
    public const string HandoffDeadLettersTable = "HandoffDeadLetters";
    public const string FeedbackDeliveriesTable = "CrmFeedbackDeliveries";
    public const string RefusedDeliveriesTable = "RefusedDeliveries";
    public const string PendingHandoffsTable = "PendingHandoffs";
    public const string CrmStateTable = "CrmState";
    public const string FunnelCountersTable = "FunnelCounters";
    public const string ErasureAuditTable = "ErasureAudit";
    public const string CrmRequestBudgetTable = "CrmRequestBudget";

    public TableClient LeadLedger { get; } = tables.GetTableClient(LeadLedgerTable);

    public TableClient DisqualificationFeedback { get; } = tables.GetTableClient(DisqualificationFeedbackTable);

    public TableClient SandboxCrm { get; } = tables.GetTableClient(SandboxCrmTable);

    public TableClient OwnerAssignment { get; } = tables.GetTableClient(OwnerAssignmentTable);

    public TableClient HandoffDeadLetters { get; } = tables.GetTableClient(HandoffDeadLettersTable);

    public TableClient FeedbackDeliveries { get; } = tables.GetTableClient(FeedbackDeliveriesTable);

    public TableClient RefusedDeliveries { get; } = tables.GetTableClient(RefusedDeliveriesTable);

    public TableClient PendingHandoffs { get; } = tables.GetTableClient(PendingHandoffsTable);

    public TableClient CrmState { get; } = tables.GetTableClient(CrmStateTable);

    public TableClient FunnelCounters { get; } = tables.GetTableClient(FunnelCountersTable);
    public TableClient ErasureAudit { get; } = tables.GetTableClient(ErasureAuditTable);

    public TableClient CrmRequestBudget { get; } = tables.GetTableClient(CrmRequestBudgetTable);

    public QueueClient Handoff { get; } = queues.GetQueueClient(HandoffMessage.QueueName);

    public QueueClient HandoffPoison { get; } = queues.GetQueueClient(HandoffMessage.PoisonQueueName);

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            LeadLedger.CreateIfNotExistsAsync(cancellationToken),
            DisqualificationFeedback.CreateIfNotExistsAsync(cancellationToken),
            SandboxCrm.CreateIfNotExistsAsync(cancellationToken),
            OwnerAssignment.CreateIfNotExistsAsync(cancellationToken),
            HandoffDeadLetters.CreateIfNotExistsAsync(cancellationToken),
            FeedbackDeliveries.CreateIfNotExistsAsync(cancellationToken),
            RefusedDeliveries.CreateIfNotExistsAsync(cancellationToken),
            PendingHandoffs.CreateIfNotExistsAsync(cancellationToken),
            CrmState.CreateIfNotExistsAsync(cancellationToken),
            FunnelCounters.CreateIfNotExistsAsync(cancellationToken),
            ErasureAudit.CreateIfNotExistsAsync(cancellationToken),
            CrmRequestBudget.CreateIfNotExistsAsync(cancellationToken),
            Handoff.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            HandoffPoison.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
    }
}

/// <summary>Creates the tables and queues at start, so the first webhook never meets a missing table.</summary>
internal sealed class StorageInitializer(StorageLayout layout) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => layout.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
