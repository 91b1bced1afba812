using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.HubSpot;

// Contact ids and stage names only: e-mail addresses, phone numbers and tokens never reach a log.
internal static partial class Log
{
    [LoggerMessage(206, LogLevel.Information, "HubSpot kept lifecycle stage {Current} for contact {RecordId}; clearing it to set {Target}")]
    public static partial void HubSpotStageCleared(this ILogger logger, string recordId, string current, string target);

    [LoggerMessage(207, LogLevel.Information, "HubSpot contact {RecordId} is at protected lifecycle stage {Current}; leaving it instead of setting {Target}")]
    public static partial void HubSpotStageProtected(this ILogger logger, string recordId, string current, string target);

    [LoggerMessage(215, LogLevel.Information, "HubSpot contact {RecordId} was new when the handoff was retried; sending its owner and status")]
    public static partial void HubSpotCreateOnlyPropertiesSent(this ILogger logger, string recordId);
}
