using Microsoft.Extensions.Logging;

namespace Smarketing.Functions;

// Message ids and counts only.
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Handoff message {MessageId} received (delivery {DequeueCount})")]
    public static partial void HandoffDequeued(this ILogger logger, string messageId, long dequeueCount);
}
