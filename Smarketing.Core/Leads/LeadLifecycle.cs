using System.Collections.ObjectModel;

namespace Smarketing.Core.Leads;

/// <summary>
/// A lead's position in the lifecycle contract and its append-only history, held by <see cref="Lead"/>, which makes
/// every move. Every move goes through <see cref="TryApply"/>, which asks the
/// <see cref="LifecyclePolicy"/> first.
/// </summary>
internal sealed class LeadLifecycle
{
    private readonly List<LifecycleEntry> _history;
    private readonly ReadOnlyCollection<LifecycleEntry> _historyView;

    private LeadLifecycle(LeadStatus status, DateTimeOffset statusSince, int recycleCount, List<LifecycleEntry> history, int earlierCount)
    {
        EarlierCount = earlierCount;
        Status = status;
        StatusSince = statusSince;
        RecycleCount = recycleCount;
        _history = history;
        _historyView = history.AsReadOnly();
    }

    /// <summary>The current status.</summary>
    public LeadStatus Status { get; private set; }

    /// <summary>When the lead entered its current status.</summary>
    public DateTimeOffset StatusSince { get; private set; }

    /// <summary>How many times the lead was recycled to NEW.</summary>
    public int RecycleCount { get; private set; }

    /// <summary>The moves held in memory, oldest first: the latest ones read from storage and those made since.</summary>
    public IReadOnlyList<LifecycleEntry> History => _historyView;

    /// <summary>How many older moves precede <see cref="History"/> (kept in storage only).</summary>
    public int EarlierCount { get; }

    /// <summary>A lead just created: NEW, with an empty history.</summary>
    public static LeadLifecycle Create(DateTimeOffset createdAt) => new(LeadStatus.New, createdAt, 0, [], 0);

    /// <summary>Rebuilds a lead from stored state.</summary>
    public static LeadLifecycle Restore(LeadStatus status, DateTimeOffset statusSince, int recycleCount, IEnumerable<LifecycleEntry> history, int earlierCount = 0) =>
        new(status, statusSince, recycleCount, [.. history], earlierCount);

    /// <summary>Drops the free-text note of every move held in memory (a rep's note may name the person); true when one had a note.</summary>
    public bool RemoveNotes()
    {
        var removed = false;
        for (var i = 0; i < _history.Count; i++)
        {
            if (_history[i].Note is not null)
            {
                _history[i] = _history[i] with { Note = null };
                removed = true;
            }
        }

        return removed;
    }

    /// <summary>Applies the move when the contract allows it; returns the refusal otherwise and changes nothing.</summary>
    public TransitionRefusal? TryApply(TransitionRequest request, LifecyclePolicy policy, out LifecycleEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Actor, nameof(request));
        entry = null;
        var refusal = policy.Check(Status, StatusSince, request);
        if (refusal is not null)
        {
            return refusal;
        }

        var recycles = request.To == LeadStatus.New ? RecycleCount + 1 : RecycleCount;
        entry = new LifecycleEntry
        {
            From = Status,
            To = request.To,
            At = policy.TimeProvider.GetUtcNow(),
            Actor = request.Actor,
            ReasonCode = request.ReasonCode,
            Note = request.Note,
            Score = request.Score,
            ModelVersion = request.ModelVersion,
            OwnerId = request.To == LeadStatus.Sal ? request.OwnerId : null,
            CrmRecordId = request.To == LeadStatus.Sal ? request.CrmRecordId : null,
            RecycleCount = recycles,
            Campaign = request.Campaign,
        };
        _history.Add(entry);
        Status = request.To;
        StatusSince = entry.At;
        RecycleCount = recycles;
        return null;
    }
}
