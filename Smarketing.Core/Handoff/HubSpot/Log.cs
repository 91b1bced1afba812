using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.HubSpot;

// Lead ids, contact ids and stage names only: e-mail addresses, phone numbers and tokens never reach a log.
internal static partial class Log
{
    [LoggerMessage(206, LogLevel.Information, "HubSpot contact {RecordId} is at lifecycle stage {Current}, which is not before {Target} in Crm:HubSpot:LifecycleStageOrder; leaving it")]
    public static partial void HubSpotStageKept(this ILogger logger, Echoed recordId, Echoed current, Echoed target);

    [LoggerMessage(207, LogLevel.Warning, "HubSpot contact {RecordId} has the e-mail address of lead {LeadId} but belongs to lead {OtherLeadId}; the lead is refused, not merged")]
    public static partial void HubSpotAddressTaken(this ILogger logger, Echoed leadId, Echoed recordId, Echoed otherLeadId);

    [LoggerMessage(215, LogLevel.Information, "HubSpot contact {RecordId} already had the e-mail address of lead {LeadId} and no lead id; it becomes the lead's contact")]
    public static partial void HubSpotContactTakenOver(this ILogger logger, Echoed leadId, Echoed recordId);

    [LoggerMessage(340, LogLevel.Information, "HubSpot batch upsert of {Count} leads: {Succeeded} succeeded ({Created} created), {Refused} refused, {Retry} to retry, {Alone} handed off alone")]
    public static partial void HubSpotBatchUpserted(this ILogger logger, int count, int succeeded, int created, int refused, int retry, int alone);

    [LoggerMessage(341, LogLevel.Information, "HubSpot contact {RecordId} of lead {LeadId} was created again by a batch retry; its owner and status are written to it")]
    public static partial void HubSpotBatchContactRecreated(this ILogger logger, Echoed leadId, Echoed? recordId);

    [LoggerMessage(342, LogLevel.Warning, "HubSpot refused the batch read of leads {LeadIds} (HTTP {Status}); the batch upsert goes on without it")]
    public static partial void HubSpotBatchReadRefused(this ILogger logger, Echoed leadIds, int status);
}
