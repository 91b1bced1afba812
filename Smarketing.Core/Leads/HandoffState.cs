namespace Smarketing.Core.Leads;

/// <summary>
/// Where a lead's CRM handoff stands. Only <see cref="Lead"/> changes it (storage only reads it back): a handoff is pending
/// only while the lead is an MQL.
/// </summary>
public sealed record HandoffState
{
    /// <summary>No handoff yet: the state of a lead that never became an MQL.</summary>
    public static readonly HandoffState None = new();

    /// <summary>True from the move to MQL until the CRM handoff succeeded (or the lead left MQL otherwise).</summary>
    public bool Pending { get; init; }

    /// <summary>True when the MQL was recorded but putting its handoff on the queue failed; the next delivery or the reconciler re-enqueues it.</summary>
    public bool EnqueueFailed { get; init; }

    /// <summary>When the reconciler last re-enqueued the handoff.</summary>
    public DateTimeOffset? RequeuedAt { get; init; }

    /// <summary>
    /// When the handoff's message, put back on the queue hidden while the CRM circuit was open, becomes visible again:
    /// the message is waiting until then, so the reconciler counts it as enqueued at that time.
    /// </summary>
    public DateTimeOffset? DeferredUntil { get; init; }

    /// <summary>How many times the reconciler resumed the handoff after failed attempts; each resume waits longer.</summary>
    public int Resumes { get; init; }

    /// <summary>When the last handoff attempt failed.</summary>
    public DateTimeOffset? LastFailedAt { get; init; }

    /// <summary>
    /// True when the last attempt was refused by the CRM for good (dead-lettered as <c>refused</c>): the reconciler
    /// leaves the handoff to a replay. A later transient failure (a replayed attempt) clears it.
    /// </summary>
    public bool Refused { get; init; }

    /// <summary>How many handoff attempts failed.</summary>
    public int Failures { get; init; }

    /// <summary>The last handoff failure, for people replaying poisoned handoffs.</summary>
    public string? LastError { get; init; }

    /// <summary>
    /// When an attempt of this handoff got the CRM record's id back (the id is the lead's <c>CrmId</c>): from then on
    /// the record exists, and a retry must not overwrite what a rep changed in it since.
    /// </summary>
    public DateTimeOffset? CrmRecordedAt { get; init; }

    /// <summary>When the CRM handoff succeeded.</summary>
    public DateTimeOffset? HandedOffAt { get; init; }

    /// <summary>
    /// The speed-to-lead of the handoff that succeeded: <see cref="HandedOffAt"/> minus the MQL time it answered, to the
    /// millisecond. Kept apart from both times because a recycled lead's next MQL replaces the MQL time it was measured from.
    /// </summary>
    public TimeSpan? SpeedToLead { get; init; }
}
