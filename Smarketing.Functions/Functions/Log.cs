using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions;

// Message ids and counts only.
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Handoff message {MessageId} received (delivery {DequeueCount})")]
    public static partial void HandoffDequeued(this ILogger logger, Echoed messageId, long dequeueCount);

    [LoggerMessage(105, LogLevel.Information, "Handoff of lead {LeadId} waits for {Provider} ({Why}): message hidden until {VisibleAt}, no delivery spent")]
    public static partial void HandoffDeferred(this ILogger logger, Echoed leadId, Echoed provider, Echoed why, DateTimeOffset visibleAt);

    [LoggerMessage(106, LogLevel.Information, "Lead {LeadId} needs no handoff any more; its waiting message is dropped")]
    public static partial void HandoffDeferralDropped(this ILogger logger, Echoed leadId);
}
