namespace Smarketing.Core.Handoff;

/// <summary>A CRM that Smarketing hands MQLs to.</summary>
public interface ICrmClient
{
    /// <summary>The provider's name for logs and the ledger, e.g. <c>Sandbox</c>.</summary>
    string Provider { get; }

    /// <summary>
    /// Creates or updates the lead keyed by <see cref="CrmLeadUpsert.ExternalId"/>, so that calling it twice
    /// for the same lead leaves one record. Throws <see cref="CrmPermanentException"/> for a request the CRM
    /// will never accept; any other exception (<see cref="CrmTransientException"/> among them) is worth retrying.
    /// </summary>
    Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken);
}

/// <summary>The CRM payload of the article: Email, LeadStatus, OwnerId, MQL_Score__c, Last_Interesting_Moment__c.</summary>
public sealed record CrmLeadUpsert
{
    /// <summary>Smarketing's lead id, used as the CRM's external id so that an upsert is idempotent.</summary>
    public required string ExternalId { get; init; }

    /// <summary>The CRM's own record id, when known.</summary>
    public string? CrmId { get; init; }

    /// <summary>The lead's e-mail address.</summary>
    public required string Email { get; init; }

    /// <summary>The lead's phone number.</summary>
    public string? Phone { get; init; }

    /// <summary>The status the CRM record gets: <c>SAL</c> on handoff.</summary>
    public required string LeadStatus { get; init; }

    /// <summary>The rep who owns the lead.</summary>
    public required string OwnerId { get; init; }

    /// <summary>
    /// True when an earlier attempt of this handoff already upserted the record (the ledger kept its id) but the
    /// ledger never moved to SAL. Owner and status are then create-only: sent only if the record has to be created
    /// again, so that what a rep changed in the CRM since stands.
    /// </summary>
    public bool AlreadyUpserted { get; init; }

    /// <summary>The MQL score.</summary>
    public required int MqlScore { get; init; }

    /// <summary>The activity that triggered the handoff.</summary>
    public string? LastInterestingMoment { get; init; }

    /// <summary>The campaign that produced the lead.</summary>
    public string? Campaign { get; init; }

    /// <summary>The lead's company industry.</summary>
    public string? Industry { get; init; }

    /// <summary>The lead's company size.</summary>
    public int? CompanySize { get; init; }

    /// <summary>The lead's country (ISO code or name, as the sender gave it).</summary>
    public string? Country { get; init; }
}

/// <summary>What the CRM answered to an upsert.</summary>
public sealed record CrmUpsertResult
{
    /// <summary>The CRM's record id.</summary>
    public required string RecordId { get; init; }

    /// <summary>True when the upsert created the record, false when it updated one.</summary>
    public required bool Created { get; init; }
}

/// <summary>The CRM refused the request in a way no retry will change (e.g. a validation error).</summary>
public sealed class CrmPermanentException : Exception
{
    /// <summary>Creates the exception with the CRM's reason.</summary>
    public CrmPermanentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the CRM's reason and the cause.</summary>
    public CrmPermanentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The CRM is unavailable or rate-limited after the in-process retries: the same request is worth sending
/// again later (the queue's next delivery).
/// </summary>
public sealed class CrmTransientException : Exception
{
    /// <summary>Creates the exception with the CRM's reason.</summary>
    public CrmTransientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the CRM's reason and the cause.</summary>
    public CrmTransientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the CRM's reason, its HTTP status and how long it asked to wait.</summary>
    public CrmTransientException(string message, int? statusCode, TimeSpan? retryAfter)
        : base(message)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The CRM's HTTP status, when it answered.</summary>
    public int? StatusCode { get; }

    /// <summary>How long the CRM asked to wait before the next request, when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
