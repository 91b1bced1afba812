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
/// What a CRM's transient failure says about the CRM as a whole, so the handoff waits for the CRM instead of
/// spending each lead's attempts on it (see <see cref="CrmCircuit"/>).
/// </summary>
public enum CrmCondition
{
    /// <summary>Unreachable, timing out or answering 5xx.</summary>
    Down,

    /// <summary>Rate-limited for now (HTTP 429), usually with a <c>Retry-After</c>.</summary>
    Throttled,

    /// <summary>The org's daily API request limit is spent (Salesforce <c>REQUEST_LIMIT_EXCEEDED</c>).</summary>
    DailyLimit,

    /// <summary>The CRM refuses our credentials (expired token, revoked app, missing scope).</summary>
    CredentialsRefused,

    /// <summary>
    /// The CRM lacks a set-up the handoff relies on and refuses every lead alike until someone adds it (HubSpot without
    /// the unique-value lead id property).
    /// </summary>
    Misconfigured,
}

/// <summary>
/// The CRM is unavailable, rate-limited or refusing our credentials after the in-process retries: a state of the
/// CRM (<see cref="Condition"/>), not of the lead, and the same request is worth sending again once it clears.
/// </summary>
public sealed class CrmTransientException : Exception
{
    /// <summary>Creates the exception with the CRM's reason (condition <see cref="CrmCondition.Down"/>).</summary>
    public CrmTransientException(string message)
        : base(message)
    {
        Condition = CrmCondition.Down;
    }

    /// <summary>Creates the exception with the CRM's reason and the cause (condition <see cref="CrmCondition.Down"/>).</summary>
    public CrmTransientException(string message, Exception innerException)
        : base(message, innerException)
    {
        Condition = CrmCondition.Down;
    }

    /// <summary>
    /// Creates the exception with the CRM's reason, its HTTP status and how long it asked to wait; the condition is
    /// <see cref="CrmCondition.Throttled"/> for a 429, <see cref="CrmCondition.Down"/> for a 5xx or no answer, and
    /// none (a failure of this request only) for any other status.
    /// </summary>
    public CrmTransientException(string message, int? statusCode, TimeSpan? retryAfter)
        : this(message, statusCode switch { 429 => CrmCondition.Throttled, null or >= 500 => CrmCondition.Down, _ => null }, statusCode, retryAfter)
    {
    }

    /// <summary>Creates the exception with the CRM's reason, the condition it shows, its HTTP status and how long it asked to wait.</summary>
    public CrmTransientException(string message, CrmCondition? condition, int? statusCode, TimeSpan? retryAfter, Exception? innerException = null)
        : base(message, innerException)
    {
        Condition = condition;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>
    /// What the failure says about the CRM; null for a failure of this request only (two deliveries racing to create
    /// the same record, a locked row), which the queue's next delivery retries without holding back other leads.
    /// </summary>
    public CrmCondition? Condition { get; }

    /// <summary>The CRM's HTTP status, when it answered.</summary>
    public int? StatusCode { get; }

    /// <summary>How long the CRM asked to wait before the next request, when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
