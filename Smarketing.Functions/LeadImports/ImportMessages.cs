namespace Smarketing.Functions.LeadImports;

/// <summary>A message on the <c>lead-imports</c> queue: split an upload into chunks, or process one chunk.</summary>
public sealed record ImportWork
{
    public const string QueueName = "lead-imports";

    public const string Split = "split";

    public const string Chunk = "chunk";

    public required string ImportId { get; init; }

    /// <summary><see cref="Split"/> or <see cref="Chunk"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The chunk's number (0-based), for <see cref="Chunk"/>.</summary>
    public int? ChunkNumber { get; init; }
}

/// <summary>
/// A message on the <c>mql-handoff-batch</c> queue: the MQLs of an import to hand to the CRM in one request. It carries
/// lead ids only: contact data is read from the ledger.
/// </summary>
public sealed record HandoffBatch
{
    public const string QueueName = "mql-handoff-batch";

    public required string ImportId { get; init; }

    /// <summary>The batch's id within the import: <c>c{chunk}-b{n}</c>, and <c>-r{k}</c> for the k-th retry of its leftovers.</summary>
    public required string BatchId { get; init; }

    public required IReadOnlyList<string> LeadIds { get; init; }

    /// <summary>How many times the leftovers of this batch were sent again after a per-record "not now".</summary>
    public int Retries { get; init; }
}
