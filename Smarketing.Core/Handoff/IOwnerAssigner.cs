namespace Smarketing.Core.Handoff;

/// <summary>Picks the rep who gets a lead that arrived without an owner.</summary>
public interface IOwnerAssigner
{
    /// <summary>Returns the rep for the lead described by <paramref name="request"/>.</summary>
    Task<string> AssignAsync(OwnerAssignmentRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Returns a rep for each lead of a batch, in the order of <paramref name="requests"/>. The round-robin assigner takes
    /// the turns of a pool in one cursor write; this default asks <see cref="AssignAsync"/> once per lead.
    /// </summary>
    async Task<IReadOnlyList<string>> AssignManyAsync(IReadOnlyList<OwnerAssignmentRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var reps = new List<string>(requests.Count);
        foreach (var request in requests)
        {
            reps.Add(await AssignAsync(request, cancellationToken));
        }

        return reps;
    }
}

/// <summary>What routing may look at to choose a rep.</summary>
public sealed record OwnerAssignmentRequest
{
    /// <summary>The lead's id.</summary>
    public required string LeadId { get; init; }

    /// <summary>The lead's country (ISO code or name), when known.</summary>
    public string? Country { get; init; }

    /// <summary>The lead's company industry, when known.</summary>
    public string? Industry { get; init; }
}

/// <summary>
/// Every cursor shard tried was taken by another handoff in between: a transient failure, for the queue's next
/// delivery to retry, never a refusal of the lead.
/// </summary>
public sealed class OwnerCursorContendedException : Exception
{
    /// <summary>Creates the exception naming the pool and the tries spent.</summary>
    public OwnerCursorContendedException(string pool, int attempts)
        : base($"The round-robin cursor of pool '{pool}' was taken by other handoffs {attempts} times in a row; the handoff will be retried.")
    {
        Pool = pool;
        Attempts = attempts;
    }

    /// <summary>The routing pool whose cursor was contended.</summary>
    public string Pool { get; }

    /// <summary>How many cursor writes were tried.</summary>
    public int Attempts { get; }
}
