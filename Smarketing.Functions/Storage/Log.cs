using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Storage;

// Lead ids, message ids, reps and reasons only (reasons are redacted before they get here): no e-mail address or phone.
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Information, "Lead {LeadId} routed by pool {Pool} to {OwnerId}")]
    public static partial void OwnerRouted(this ILogger logger, Echoed leadId, Echoed pool, Echoed ownerId);

    [LoggerMessage(301, LogLevel.Debug, "Round-robin cursor shard {Shard} of pool {Pool} was taken by another handoff (try {Attempt}); moving to another shard")]
    public static partial void OwnerCursorContended(this ILogger logger, Echoed pool, int shard, int attempt);

    [LoggerMessage(302, LogLevel.Warning, "Lead {LeadId} got no turn of pool {Pool} after {Attempts} contended tries; its handoff will be retried")]
    public static partial void OwnerCursorGaveUp(this ILogger logger, Echoed leadId, Echoed pool, int attempts);

    [LoggerMessage(310, LogLevel.Warning, "Handoff message {MessageId} of lead {LeadId} dead-lettered ({Kind}): {Reason}")]
    public static partial void HandoffPoisoned(this ILogger logger, Echoed messageId, Echoed leadId, Echoed kind, Echoed reason);

    [LoggerMessage(311, LogLevel.Information, "Dead-lettered handoff {MessageId} of lead {LeadId} re-queued onto mql-handoff")]
    public static partial void HandoffReplayed(this ILogger logger, Echoed messageId, Echoed leadId);

    [LoggerMessage(320, LogLevel.Error, "Ledger row of lead {LeadId} refused for good: {Reason}")]
    public static partial void LedgerRowRefused(this ILogger logger, Echoed leadId, Echoed reason);

    [LoggerMessage(312, LogLevel.Warning, "A {Status} refusal of a {Source} delivery was not recorded in RefusedDeliveries (storage answered {StorageStatus})")]
    public static partial void RefusalNotRecorded(this ILogger logger, Echoed source, int status, int storageStatus);

    [LoggerMessage(313, LogLevel.Information, "Dead-lettered handoff {MessageId} of lead {LeadId} removed: the lead was handed off since")]
    public static partial void DeadLetterResolved(this ILogger logger, Echoed messageId, Echoed leadId);

    [LoggerMessage(330, LogLevel.Warning, "Funnel counters of lead {LeadId} not updated ({Failure}); the lead stays pending and the counter reconciler counts its moves")]
    public static partial void FunnelCountDeferred(this ILogger logger, Echoed leadId, Echoed failure);

    [LoggerMessage(331, LogLevel.Information, "Funnel counter reconciliation ({Pass}): {Scanned} ledger rows read, {Counted} leads counted")]
    public static partial void FunnelCountersReconciled(this ILogger logger, Echoed pass, int scanned, int counted);

    [LoggerMessage(901, LogLevel.Information, "Lead {LeadId} erased: contact data removed from {Erased}")]
    public static partial void LeadErased(this ILogger logger, Echoed leadId, Echoed erased);

    [LoggerMessage(902, LogLevel.Information, "Retention: {RefusedDeliveries} refused-delivery records and {HistoryRows} history rows removed")]
    public static partial void RetentionApplied(this ILogger logger, int refusedDeliveries, int historyRows);
}
