namespace Smarketing.Functions.LeadImports;

/// <summary>
/// A message on the <c>mql-handoff-bulk</c> queue: start the one Salesforce Bulk API 2.0 job of an import's MQLs, or look
/// at how that job is doing. Lead ids are not carried: they are in the import's blobs.
/// </summary>
public sealed record BulkHandoffWork
{
    public const string QueueName = "mql-handoff-bulk";

    public const string Start = "start";

    public const string Poll = "poll";

    public required string ImportId { get; init; }

    /// <summary><see cref="Start"/> or <see cref="Poll"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The Bulk API job, for <see cref="Poll"/>.</summary>
    public string? JobId { get; init; }

    /// <summary>For a message put back to wait (budget spent, CRM circuit open, job still running), when it was due again on the app's clock.</summary>
    public DateTimeOffset? NotBefore { get; init; }
}
