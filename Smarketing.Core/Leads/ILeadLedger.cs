namespace Smarketing.Core.Leads;

/// <summary>The lead ledger: one row per lead, written with optimistic concurrency.</summary>
public interface ILeadLedger
{
    /// <summary>Reads a lead, or null when the ledger has never seen it.</summary>
    Task<Lead?> FindAsync(string leadId, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the lead when its <see cref="Lead.ETag"/> is null, otherwise replaces it only if the
    /// stored row still has that ETag. Throws <see cref="LedgerConflictException"/> when another writer won;
    /// on success the lead carries the new ETag (<see cref="Lead.MarkStored"/>).
    /// </summary>
    Task SaveAsync(Lead lead, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the lead's full history, oldest first, from <paramref name="fromSequence"/> (1 is the first move);
    /// null when the ledger has never seen the lead.
    /// </summary>
    Task<LeadHistoryPage?> ReadHistoryAsync(string leadId, int fromSequence, int pageSize, CancellationToken cancellationToken);

    /// <summary>
    /// Every lead still MQL whose handoff is pending. A scan of the whole ledger: run once, to fill the index of
    /// pending handoffs, never on a schedule.
    /// </summary>
    IAsyncEnumerable<Lead> FindPendingHandoffsAsync(CancellationToken cancellationToken);
}

/// <summary>Another writer changed the lead since it was read: read it again and retry.</summary>
public sealed class LedgerConflictException : Exception
{
    /// <summary>Creates the exception for a lead.</summary>
    public LedgerConflictException(string leadId)
        : base($"The ledger row of lead '{leadId}' was changed by another writer.") => LeadId = leadId;

    /// <summary>The lead whose row changed.</summary>
    public string LeadId { get; }
}

/// <summary>One page of a lead's full history.</summary>
public sealed record LeadHistoryPage
{
    /// <summary>How many moves the lead made in all.</summary>
    public required int Total { get; init; }

    /// <summary>The sequence number (1-based) of the first entry of the page.</summary>
    public required int FirstSequence { get; init; }

    /// <summary>The entries, oldest first.</summary>
    public required IReadOnlyList<LifecycleEntry> Entries { get; init; }

    /// <summary>The sequence the next page starts at; null on the last page.</summary>
    public int? NextSequence => FirstSequence + Entries.Count <= Total && Entries.Count > 0 ? FirstSequence + Entries.Count : null;
}

/// <summary>
/// Storage refuses the lead's row for good (a value or the entity too large, a row it cannot read back): sending the
/// same change again cannot succeed, so callers report it instead of asking for a retry.
/// </summary>
public sealed class LedgerPermanentFailureException : Exception
{
    /// <summary>Creates the exception for a lead and the storage's reason.</summary>
    public LedgerPermanentFailureException(string leadId, string reason, Exception? inner = null)
        : base($"The ledger row of lead '{leadId}' cannot be stored or read: {reason}.", inner)
    {
        LeadId = leadId;
        Reason = reason;
    }

    /// <summary>The lead whose row is refused.</summary>
    public string LeadId { get; }

    /// <summary>Why, in words safe to return.</summary>
    public string Reason { get; }
}
