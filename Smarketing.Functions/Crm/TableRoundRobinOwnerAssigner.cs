using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Smarketing.Core.Crm;
using Smarketing.Functions.Composition;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Crm;

/// <summary>
/// Round-robin over the configured reps with the cursor in Table Storage, advanced under an ETag, so
/// several instances share one fair rotation.
/// </summary>
public sealed class TableRoundRobinOwnerAssigner(StorageLayout layout, IOptions<RoutingOptions> options) : IOwnerAssigner
{
    private const string PartitionKey = "round-robin";
    private const string RowKey = "cursor";
    private const int MaxAttempts = 50;

    public async Task<string> AssignAsync(string leadId, CancellationToken cancellationToken)
    {
        var reps = options.Value.RepList;
        for (var attempt = 1; ; attempt++)
        {
            var current = await layout.OwnerAssignment.GetEntityIfExistsAsync<TableEntity>(PartitionKey, RowKey, cancellationToken: cancellationToken);
            var next = current.HasValue ? current.Value!.GetInt64("Next") ?? 0 : 0;
            var entity = new TableEntity(PartitionKey, RowKey) { ["Next"] = next + 1 };
            try
            {
                if (current.HasValue)
                {
                    await layout.OwnerAssignment.UpdateEntityAsync(entity, current.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await layout.OwnerAssignment.AddEntityAsync(entity, cancellationToken);
                }

                return reps[(int)(next % reps.Count)];
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another instance took this slot; read the cursor again.
                await Task.Delay(Random.Shared.Next(1, 10 * Math.Min(attempt, 10)), cancellationToken);
            }
        }
    }
}
