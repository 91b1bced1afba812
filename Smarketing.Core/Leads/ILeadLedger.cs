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

    /// <summary>Leads still MQL whose handoff is pending and has never been attempted: candidates for re-enqueueing.</summary>
    IAsyncEnumerable<Lead> FindUnattemptedHandoffsAsync(CancellationToken cancellationToken);
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
