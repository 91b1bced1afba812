namespace Smarketing.Core.Handoff;

/// <summary>One entry of the <see cref="IPendingHandoffIndex"/>: a lead the reconciler should look at from <see cref="DueAt"/> on.</summary>
public sealed record PendingHandoff
{
    /// <summary>The lead's id.</summary>
    public required string LeadId { get; init; }

    /// <summary>When the reconciler should look at the lead.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>When the lead became the MQL whose handoff is pending, for the status page's oldest pending MQL; null in entries written before it was kept.</summary>
    public DateTimeOffset? MqlAt { get; init; }
}

/// <summary>
/// The index of pending handoffs, kept by due time so the reconciler reads only what is due. A hint, never the truth:
/// an entry is written before the ledger commit that makes a lead an MQL (so the index holds a superset of the pending
/// handoffs), the reconciler checks every entry against the ledger, and it drops an entry only when the ledger says
/// the handoff is no longer pending.
/// </summary>
public interface IPendingHandoffIndex
{
    /// <summary>Adds (or keeps) the entries; the same lead and due time twice is one entry.</summary>
    Task AddAsync(IReadOnlyCollection<PendingHandoff> entries, CancellationToken cancellationToken);

    /// <summary>The entries due at or before <paramref name="dueBy"/>, earliest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<PendingHandoff>> ReadDueAsync(DateTimeOffset dueBy, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Every entry, up to <paramref name="max"/>, for the status page (a read that grows with the pending work, not the
    /// ledger); Truncated is true when there were more.
    /// </summary>
    Task<(IReadOnlyList<PendingHandoff> Entries, bool Truncated)> ReadAllAsync(int max, CancellationToken cancellationToken);

    /// <summary>Removes an entry; one already gone is no error.</summary>
    Task RemoveAsync(PendingHandoff entry, CancellationToken cancellationToken);

    /// <summary>True once the pending handoffs that existed before the index did were copied into it.</summary>
    Task<bool> IsBackfilledAsync(CancellationToken cancellationToken);

    /// <summary>Records that the copy is done.</summary>
    Task MarkBackfilledAsync(CancellationToken cancellationToken);
}
