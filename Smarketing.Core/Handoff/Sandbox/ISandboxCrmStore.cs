namespace Smarketing.Core.Handoff.Sandbox;

/// <summary>Where the sandbox CRM keeps its records (the <c>SandboxCrmLeads</c> table).</summary>
public interface ISandboxCrmStore
{
    /// <summary>
    /// Creates the record, or updates the one with the same external id in place and keeps its creation time;
    /// when the lead was <see cref="CrmLeadUpsert.AlreadyUpserted"/>, the update keeps the record's owner and
    /// status too (create-only fields). Returns true when it created the record.
    /// </summary>
    Task<bool> UpsertAsync(SandboxCrmRecord record, CancellationToken cancellationToken);
}

/// <summary>One lead as the sandbox CRM stores it.</summary>
public sealed record SandboxCrmRecord
{
    /// <summary>The sandbox's record id (<see cref="SandboxCrmClient.RecordIdFor"/>).</summary>
    public required string RecordId { get; init; }

    /// <summary>What the handoff sent.</summary>
    public required CrmLeadUpsert Lead { get; init; }

    /// <summary>When the record was written: its last-modified time, and its creation time when it is new.</summary>
    public required DateTimeOffset ModifiedAt { get; init; }
}
