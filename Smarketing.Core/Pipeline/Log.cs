using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Pipeline;

// Lead ids, scores and statuses only: e-mail addresses and phone numbers never reach a log.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Lead {LeadId} scored {Score}, status {Status} (duplicate delivery: {Duplicate})")]
    public static partial void LeadScored(this ILogger logger, string leadId, int score, string status, bool duplicate);

    [LoggerMessage(2, LogLevel.Information, "Lead {LeadId} is an MQL with score {Score} (model {ModelVersion}); handoff enqueued")]
    public static partial void MqlEnqueued(this ILogger logger, string leadId, int score, string modelVersion);

    [LoggerMessage(3, LogLevel.Information, "Lead {LeadId} handed off to {Provider} as record {RecordId} (created: {Created}), owner {OwnerId}")]
    public static partial void HandedOff(this ILogger logger, string leadId, string provider, string recordId, bool created, string ownerId);

    [LoggerMessage(4, LogLevel.Information, "Lead {LeadId} is already {Status}; the redelivered handoff has nothing to do")]
    public static partial void HandoffAlreadyDone(this ILogger logger, string leadId, string status);

    [LoggerMessage(5, LogLevel.Warning, "Handoff of lead {LeadId} failed (failure {Failures}): {Error}")]
    public static partial void HandoffFailed(this ILogger logger, string leadId, int failures, string error);

    [LoggerMessage(6, LogLevel.Information, "Lead {LeadId} moved {From} -> {To} by CRM feedback (reason {ReasonCode})")]
    public static partial void FeedbackApplied(this ILogger logger, string leadId, string from, string to, string? reasonCode);

    [LoggerMessage(7, LogLevel.Warning, "CRM feedback for lead {LeadId} refused: {Reason}")]
    public static partial void FeedbackRefused(this ILogger logger, string leadId, string reason);

    [LoggerMessage(8, LogLevel.Information, "Lead {LeadId} assigned to {OwnerId}")]
    public static partial void OwnerAssigned(this ILogger logger, string leadId, string ownerId);

    [LoggerMessage(9, LogLevel.Warning, "Lead {LeadId}: the handoff could not be enqueued and the ledger could not be marked ({Error}); the reconciler will re-enqueue it")]
    public static partial void EnqueueFailureNotMarked(this ILogger logger, string leadId, string error);

    [LoggerMessage(10, LogLevel.Warning, "Lead {LeadId} was MQL since {MqlAt} with no handoff attempt; handoff re-enqueued")]
    public static partial void HandoffRequeued(this ILogger logger, string leadId, DateTimeOffset mqlAt);
}
