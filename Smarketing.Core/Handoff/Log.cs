using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff;

// Lead ids, record ids, codes and counts only: e-mail addresses, phone numbers and tokens never reach a log.
internal static partial class Log
{
    [LoggerMessage(205, LogLevel.Information, "{Provider} upserted lead {ExternalId} as record {RecordId} (created: {Created})")]
    public static partial void CrmUpserted(this ILogger logger, Echoed provider, Echoed externalId, Echoed recordId, bool created);

    [LoggerMessage(208, LogLevel.Warning, "{Provider} is rate-limiting or unavailable for lead {ExternalId}: HTTP {Status} {Code}")]
    public static partial void CrmTransientFailure(this ILogger logger, Echoed provider, Echoed externalId, int status, Echoed code);

    [LoggerMessage(3, LogLevel.Information, "Lead {LeadId} handed off to {Provider} as record {RecordId} (created: {Created}), owner {OwnerId}")]
    public static partial void HandedOff(this ILogger logger, Echoed leadId, Echoed provider, Echoed recordId, bool created, Echoed ownerId);

    [LoggerMessage(4, LogLevel.Information, "Lead {LeadId} is already {Status}; the redelivered handoff has nothing to do")]
    public static partial void HandoffAlreadyDone(this ILogger logger, Echoed leadId, Echoed status);

    [LoggerMessage(900, LogLevel.Information, "Lead {LeadId} was erased; its handoff ends without calling the CRM")]
    public static partial void HandoffOfErasedLeadSkipped(this ILogger logger, Echoed leadId);

    [LoggerMessage(5, LogLevel.Warning, "Handoff of lead {LeadId} failed (failure {Failures}): {Error}")]
    public static partial void HandoffFailed(this ILogger logger, Echoed leadId, int failures, Echoed error);

    [LoggerMessage(8, LogLevel.Information, "Lead {LeadId} assigned to {OwnerId}")]
    public static partial void OwnerAssigned(this ILogger logger, Echoed leadId, Echoed ownerId);

    [LoggerMessage(10, LogLevel.Warning, "Lead {LeadId} was MQL since {MqlAt} with no handoff attempt; handoff re-enqueued")]
    public static partial void HandoffRequeued(this ILogger logger, Echoed leadId, DateTimeOffset mqlAt);

    [LoggerMessage(410, LogLevel.Warning, "Handoff of lead {LeadId} resumed after {Failures} failed attempts (resume {Resumes})")]
    public static partial void HandoffResumed(this ILogger logger, Echoed leadId, int failures, int resumes);

    [LoggerMessage(411, LogLevel.Information, "{Count} pending handoffs copied into the index of pending handoffs")]
    public static partial void PendingHandoffsIndexed(this ILogger logger, int count);

    [LoggerMessage(420, LogLevel.Warning, "{Provider} circuit opened ({Condition}): handoffs wait for it; next probe at {NextProbeAt}. Last error: {Error}")]
    public static partial void CrmCircuitOpened(this ILogger logger, Echoed provider, Echoed condition, DateTimeOffset nextProbeAt, Echoed error);

    [LoggerMessage(421, LogLevel.Information, "{Provider} circuit ({Condition}): this handoff probes the CRM ({FailedProbes} probes failed so far)")]
    public static partial void CrmProbeClaimed(this ILogger logger, Echoed provider, Echoed condition, int failedProbes);

    [LoggerMessage(422, LogLevel.Warning, "{Provider} circuit ({Condition}): probe {FailedProbes} failed; next probe at {NextProbeAt}")]
    public static partial void CrmProbeFailed(this ILogger logger, Echoed provider, Echoed condition, int failedProbes, DateTimeOffset nextProbeAt);

    [LoggerMessage(423, LogLevel.Information, "{Provider} circuit closed after {OpenFor} ({Condition}): handoffs call the CRM again")]
    public static partial void CrmCircuitClosed(this ILogger logger, Echoed provider, Echoed condition, TimeSpan openFor);

    [LoggerMessage(424, LogLevel.Information, "Reconciler paused: the {Provider} circuit is open ({Condition}) until the next probe at {NextProbeAt}")]
    public static partial void ReconcilerPaused(this ILogger logger, Echoed provider, Echoed condition, DateTimeOffset? nextProbeAt);
}
