using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Contracts;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;
using Smarketing.Functions.LeadImports;
using Xunit;

namespace Smarketing.Tests.Storage;

/// <summary>One layout names every table and queue the app uses, and the app creates them all at start.</summary>
public sealed class StorageLayoutTests
{
    [Fact]
    public async Task Start_FreshAccount_EveryTableAndQueueOfTheLayoutExists()
    {
        await using var app = await TestApp.StartAsync();
        var tables = new List<string>();
        await foreach (var table in app.Services.GetRequiredService<TableServiceClient>().QueryAsync())
        {
            tables.Add(table.Name);
        }

        var queues = new List<string>();
        await foreach (var queue in app.Services.GetRequiredService<QueueServiceClient>().GetQueuesAsync())
        {
            queues.Add(queue.Name);
        }

        Assert.Equal(
            new[]
            {
                StorageLayout.LeadLedgerTable, StorageLayout.DisqualificationFeedbackTable, StorageLayout.SandboxCrmTable,
                StorageLayout.OwnerAssignmentTable, StorageLayout.HandoffDeadLettersTable, StorageLayout.FeedbackDeliveriesTable,
                StorageLayout.RefusedDeliveriesTable, StorageLayout.PendingHandoffsTable, StorageLayout.CrmStateTable,
                StorageLayout.FunnelCountersTable,
                StorageLayout.ErasureAuditTable,
                StorageLayout.CrmRequestBudgetTable,
                ImportStore.ImportsTable, ImportStore.RejectionsTable,
            }.Order(StringComparer.Ordinal),
            tables.Order(StringComparer.Ordinal));
        Assert.Equal(
            new[]
            {
                HandoffMessage.QueueName, HandoffMessage.PoisonQueueName,
                ImportWork.QueueName, ImportWork.QueueName + "-poison", HandoffBatch.QueueName, HandoffBatch.QueueName + "-poison",
                BulkHandoffWork.QueueName, BulkHandoffWork.QueueName + "-poison",
            }.Order(StringComparer.Ordinal),
            queues.Order(StringComparer.Ordinal));
    }
}
