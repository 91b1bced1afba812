namespace Smarketing.Core.Handoff;

/// <summary>Picks the rep who gets a lead that arrived without an owner.</summary>
public interface IOwnerAssigner
{
    /// <summary>Returns the rep for the lead described by <paramref name="request"/>.</summary>
    Task<string> AssignAsync(OwnerAssignmentRequest request, CancellationToken cancellationToken);
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
