using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Intake;

// Lead ids, scores and statuses only: e-mail addresses and phone numbers never reach a log.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Lead {LeadId} scored {Score}, status {Status} (duplicate delivery: {Duplicate})")]
    public static partial void LeadScored(this ILogger logger, Echoed leadId, int score, Echoed status, bool duplicate);

    [LoggerMessage(2, LogLevel.Information, "Lead {LeadId} is an MQL with score {Score} (model {ModelVersion}); handoff enqueued")]
    public static partial void MqlEnqueued(this ILogger logger, Echoed leadId, int score, Echoed modelVersion);

    [LoggerMessage(9, LogLevel.Warning, "Lead {LeadId}: the handoff could not be enqueued and the ledger could not be marked ({Error}); the reconciler will re-enqueue it")]
    public static partial void EnqueueFailureNotMarked(this ILogger logger, Echoed leadId, Echoed error);
}
