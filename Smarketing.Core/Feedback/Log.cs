using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Feedback;

// Lead ids, delivery ids and reasons only: notes, e-mail addresses and vendor session ids never reach a log.
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Information, "Feedback delivery {DeliveryId} from {Source} for lead {LeadId} was applied before; skipped")]
    public static partial void FeedbackDeliveryDuplicate(this ILogger logger, Echoed source, Echoed deliveryId, Echoed leadId);

    [LoggerMessage(102, LogLevel.Warning, "Feedback delivery {DeliveryId} from {Source} (lead {LeadId}) could not be read: {Errors}")]
    public static partial void FeedbackItemUnreadable(this ILogger logger, Echoed source, Echoed deliveryId, Echoed leadId, Echoed errors);

    [LoggerMessage(103, LogLevel.Information, "Feedback summary {From} to {To} (campaign {Campaign}): {Campaigns} campaign(s), {CounterRows} counter row(s)")]
    public static partial void SummaryComputed(this ILogger logger, DateTimeOffset from, DateTimeOffset to, Echoed campaign, int campaigns, int counterRows);

    [LoggerMessage(6, LogLevel.Information, "Lead {LeadId} moved {From} -> {To} by CRM feedback (reason {ReasonCode})")]
    public static partial void FeedbackApplied(this ILogger logger, Echoed leadId, Echoed from, Echoed to, Echoed reasonCode);

    [LoggerMessage(7, LogLevel.Warning, "CRM feedback for lead {LeadId} refused: {Reason}")]
    public static partial void FeedbackRefused(this ILogger logger, Echoed leadId, Echoed reason);

    [LoggerMessage(104, LogLevel.Error, "Feedback delivery {DeliveryId} from {Source} for lead {LeadId} cannot be written and is dropped: {Reason}")]
    public static partial void FeedbackItemUnwritable(this ILogger logger, Echoed source, Echoed deliveryId, Echoed leadId, Echoed reason);
}
