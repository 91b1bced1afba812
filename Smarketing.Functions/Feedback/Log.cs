using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Feedback;

// Which check failed and for which source: never the presented secret, signature, session id or body.
internal static partial class Log
{
    [LoggerMessage(401, LogLevel.Warning, "Feedback delivery to {Source} refused: {Reason}")]
    public static partial void DeliveryUnauthenticated(this ILogger logger, Echoed source, Echoed reason);

    [LoggerMessage(402, LogLevel.Warning, "Outbound Message {ActionId} from org {OrganizationId}: {Refused} of {Total} notification(s) refused")]
    public static partial void NotificationsRefused(this ILogger logger, Echoed actionId, Echoed organizationId, int refused, int total);

    [LoggerMessage(403, LogLevel.Information, "Outbound Message {ActionId} from org {OrganizationId}: {Total} notification(s) acknowledged ({Duplicates} redelivered)")]
    public static partial void NotificationsAcknowledged(this ILogger logger, Echoed actionId, Echoed organizationId, int total, int duplicates);

    [LoggerMessage(404, LogLevel.Warning, "Feedback from {Source} not recorded: {Reason}")]
    public static partial void FeedbackStorageFailed(this ILogger logger, Echoed source, Echoed reason);
}
