namespace Smarketing.Core.Leads;

/// <summary>Read-modify-write of a ledger row that retries when another writer wins the ETag race.</summary>
public static class LedgerUpdates
{
    /// <summary>How many times a conflicting update is retried before giving up.</summary>
    public const int MaxAttempts = 20;

    /// <summary>
    /// Reads the lead, lets <paramref name="change"/> decide and mutate (returning a result and whether to save),
    /// and saves with the read ETag; on a conflict it starts over from a fresh read.
    /// </summary>
    public static async Task<T> UpdateAsync<T>(
        this ILeadLedger ledger,
        string leadId,
        Func<LeadRecord?, (T Result, LeadRecord? ToSave)> change,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 1; ; attempt++)
        {
            var current = await ledger.FindAsync(leadId, cancellationToken);
            var (result, toSave) = change(current);
            if (toSave is null)
            {
                return result;
            }

            try
            {
                await ledger.SaveAsync(toSave, cancellationToken);
                return result;
            }
            catch (LedgerConflictException) when (attempt < MaxAttempts)
            {
                // Someone else wrote first; their change must be seen before deciding again.
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken);
            }
        }
    }
}
