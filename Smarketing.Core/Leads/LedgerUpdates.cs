namespace Smarketing.Core.Leads;

/// <summary>What a ledger update decided: the result to return and, when the lead changed, the lead to save.</summary>
/// <typeparam name="T">The result's type.</typeparam>
public readonly record struct LedgerDecision<T>
{
    internal LedgerDecision(T result, Lead? toSave)
    {
        Result = result;
        ToSave = toSave;
    }

    /// <summary>What the update returns.</summary>
    public T Result { get; }

    /// <summary>The lead to save; null to write nothing.</summary>
    public Lead? ToSave { get; }
}

/// <summary>Builds <see cref="LedgerDecision{T}"/>s.</summary>
public static class LedgerDecision
{
    /// <summary>Save <paramref name="lead"/> (under the ETag it was read with) and return <paramref name="result"/>.</summary>
    public static LedgerDecision<T> Save<T>(Lead lead, T result)
    {
        ArgumentNullException.ThrowIfNull(lead);
        return new(result, lead);
    }

    /// <summary>Write nothing and return <paramref name="result"/>.</summary>
    public static LedgerDecision<T> Keep<T>(T result) => new(result, null);
}

/// <summary>Read-modify-write of a lead that retries when another writer wins the ETag race.</summary>
public static class LedgerUpdates
{
    /// <summary>How many times a conflicting update is retried before giving up.</summary>
    public const int MaxAttempts = 20;

    /// <summary>
    /// Reads the lead (null when the ledger has never seen it), lets <paramref name="decide"/> change it and say
    /// whether to save, and saves with the read ETag; on a conflict it starts over from a fresh read, so
    /// <paramref name="decide"/> may run more than once.
    /// </summary>
    public static async Task<T> UpdateAsync<T>(
        this ILeadLedger ledger,
        string leadId,
        Func<Lead?, LedgerDecision<T>> decide,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(decide);
        for (var attempt = 1; ; attempt++)
        {
            var current = await ledger.FindAsync(leadId, cancellationToken);
            var decision = decide(current);
            if (decision.ToSave is null)
            {
                return decision.Result;
            }

            try
            {
                await ledger.SaveAsync(decision.ToSave, cancellationToken);
                return decision.Result;
            }
            catch (LedgerConflictException) when (attempt < MaxAttempts)
            {
                // Someone else wrote first; their change must be seen before deciding again.
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken);
            }
        }
    }
}
