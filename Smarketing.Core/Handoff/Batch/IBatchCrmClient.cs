namespace Smarketing.Core.Handoff.Batch;

/// <summary>
/// A CRM that takes many leads in one request (HubSpot batch upsert, Salesforce sObject Collections, the sandbox's table
/// transactions), answering for each record. Used by the batched handoff of imported leads; a single webhook lead keeps
/// the one-lead <see cref="ICrmClient"/> path.
/// </summary>
public interface IBatchCrmClient
{
    /// <summary>The provider's name, the same as its <see cref="ICrmClient.Provider"/>.</summary>
    string Provider { get; }

    /// <summary>The most records one request may carry (HubSpot 100, Salesforce 200).</summary>
    int MaxBatchSize { get; }

    /// <summary>
    /// Upserts every lead (at most <see cref="MaxBatchSize"/>) by external id and answers one outcome per lead, in any
    /// order, each naming its <see cref="CrmLeadUpsert.ExternalId"/>. A failure of the whole request that says something
    /// about the CRM (429, 5xx, credentials refused, daily limit) throws <see cref="CrmTransientException"/> with its
    /// <see cref="CrmCondition"/>, exactly as the one-lead path does; what concerns single records is in the outcomes.
    /// </summary>
    Task<IReadOnlyList<CrmBatchOutcome>> UpsertLeadsAsync(IReadOnlyList<CrmLeadUpsert> leads, CancellationToken cancellationToken);
}

/// <summary>What became of one record of a batch.</summary>
public enum CrmBatchOutcomeKind
{
    /// <summary>The record was created or updated: <see cref="CrmBatchOutcome.RecordId"/> holds its id.</summary>
    Succeeded,

    /// <summary>The CRM refused the record for good (a validation error): it is dead-lettered alone with the reason.</summary>
    Refused,

    /// <summary>Not now (a locked row, a race with another writer): the record goes into the next batch.</summary>
    Retry,

    /// <summary>
    /// The record needs the one-lead path's handling (e.g. HubSpot's contact that already holds the address, which the
    /// one-lead path takes over or refuses naming the other lead): it is handed off through the single-lead queue.
    /// </summary>
    HandOffAlone,
}

/// <summary>The CRM's answer for one record of a batch.</summary>
public sealed record CrmBatchOutcome
{
    /// <summary>The record's external id: Smarketing's lead id.</summary>
    public required string ExternalId { get; init; }

    /// <summary>What became of it.</summary>
    public required CrmBatchOutcomeKind Kind { get; init; }

    /// <summary>The CRM's record id, for <see cref="CrmBatchOutcomeKind.Succeeded"/>.</summary>
    public string? RecordId { get; init; }

    /// <summary>True when the upsert created the record.</summary>
    public bool Created { get; init; }

    /// <summary>The CRM's reason, for every other kind, with the lead's contact data taken out.</summary>
    public string? Reason { get; init; }

    /// <summary>A success.</summary>
    public static CrmBatchOutcome Success(string externalId, string recordId, bool created) =>
        new() { ExternalId = externalId, Kind = CrmBatchOutcomeKind.Succeeded, RecordId = recordId, Created = created };

    /// <summary>A refusal or a failure of this record.</summary>
    public static CrmBatchOutcome Failed(string externalId, CrmBatchOutcomeKind kind, string reason) =>
        new() { ExternalId = externalId, Kind = kind, Reason = reason };
}
