using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Smarketing.Functions.Storage;

/// <summary>How long records are kept (section <c>Retention</c>), enforced daily by <see cref="ApplyRetention"/>.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>How long a refused delivery's record (<c>RefusedDeliveries</c>) is kept: 30 days unless set.</summary>
    public TimeSpan RefusedDeliveries { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a lead's full-history rows (<c>history-*</c> in <c>LeadLedger</c>) are kept; unset keeps them for good.
    /// The ledger row's own latest moves, its status and its snapshots are never removed by retention.
    /// </summary>
    public TimeSpan? History { get; set; }
}

internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var failures = new List<string>();
        if (options.RefusedDeliveries < TimeSpan.FromDays(1))
        {
            failures.Add($"Setting {RetentionOptions.SectionName}:RefusedDeliveries is {options.RefusedDeliveries}; it must be at least one day (e.g. 30.00:00:00).");
        }

        if (options.History is { } history && history < TimeSpan.FromDays(1))
        {
            failures.Add($"Setting {RetentionOptions.SectionName}:History is {history}; it must be at least one day (e.g. 365.00:00:00), or unset to keep history for good.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>What one retention run removed.</summary>
public sealed record RetentionResult(int RefusedDeliveries, int HistoryRows);

/// <summary>
/// Deletes the records older than their retention (<see cref="RetentionOptions"/>): refused-delivery records by their
/// <c>ReceivedAt</c>, and, when <c>Retention:History</c> is set, full-history rows by their move's time (<c>At</c>; rows
/// written before that column existed are kept). Each is one filtered query over its table.
/// </summary>
public sealed class RetentionSweeper(StorageLayout layout, IOptions<RetentionOptions> options, TimeProvider timeProvider, ILogger<RetentionSweeper> logger)
{
    public async Task<RetentionResult> SweepAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var refused = await DeleteAsync(
            layout.RefusedDeliveries,
            TableClient.CreateQueryFilter($"ReceivedAt lt {now - options.Value.RefusedDeliveries}"),
            cancellationToken);
        var history = options.Value.History is { } keep
            ? await DeleteAsync(
                layout.LeadLedger,
                TableClient.CreateQueryFilter($"RowKey ge {"history-"} and RowKey lt {"history."} and At lt {now - keep}"),
                cancellationToken)
            : 0;
        logger.RetentionApplied(refused, history);
        return new RetentionResult(refused, history);
    }

    private static async Task<int> DeleteAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, Azure.ETag.All, cancellationToken);
            count++;
        }

        return count;
    }
}
