using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Contracts;
using Smarketing.Core.Pipeline;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Functions;

/// <summary>
/// Queue-triggered on <c>mql-handoff</c>: hands the MQL to the CRM. Failures are not caught here: they
/// reach the host, which makes the message visible again and, after <c>maxDequeueCount</c> attempts,
/// moves it to <c>mql-handoff-poison</c>.
/// </summary>
public sealed class HandOffMql(MqlHandoff handoff, ILogger<HandOffMql> logger)
{
    [Function(nameof(HandOffMql))]
    public async Task Run(
        [QueueTrigger(HandoffMessage.QueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.HandoffDequeued(message.MessageId, message.DequeueCount);
        var handoffMessage = Parse(message.Body);
        await handoff.HandleAsync(handoffMessage, cancellationToken);
    }

    internal static HandoffMessage Parse(BinaryData body)
    {
        try
        {
            return body.ToObjectFromJson<HandoffMessage>(SmarketingJson.Options)
                ?? throw new InvalidHandoffMessageException("The handoff message is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidHandoffMessageException($"The handoff message is not valid JSON of the handoff contract: {ex.Message}");
        }
    }
}

internal static partial class HandOffMqlLog
{
    [LoggerMessage(100, LogLevel.Information, "Handoff message {MessageId} received (delivery {DequeueCount})")]
    public static partial void HandoffDequeued(this ILogger logger, string messageId, long dequeueCount);
}
