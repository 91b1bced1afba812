using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// Queue-triggered on <c>mql-handoff</c>: hands the MQL to the CRM. A handoff that can never succeed as it
/// is (the CRM refused the record, or the message itself is broken) goes to the dead-letter table at once with
/// its reason and the invocation completes, so the host deletes it instead of retrying. Every other failure
/// reaches the host, which makes the message visible again and, after <c>maxDequeueCount</c> attempts, moves it
/// to <c>mql-handoff-poison</c>, from where <see cref="RecordPoisonedHandoff"/> dead-letters it.
/// </summary>
public sealed class HandOffMql(MqlHandoff handoff, PoisonedHandoffStore poison, ICrmClient crm, ILogger<HandOffMql> logger)
{
    [Function(nameof(HandOffMql))]
    public async Task Run(
        [QueueTrigger(HandoffMessage.QueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.HandoffDequeued(message.MessageId, message.DequeueCount);
        HandoffMessage? handoffMessage = null;
        try
        {
            handoffMessage = Parse(message.Body);
            await handoff.HandleAsync(handoffMessage, cancellationToken);
        }
        catch (CrmPermanentException ex)
        {
            await poison.PoisonAsync(message, handoffMessage?.LeadId, Reason($"{crm.Provider} refused the record: {ex.Message}", handoffMessage), crm.Provider, cancellationToken);
        }
        catch (InvalidHandoffMessageException ex)
        {
            await poison.PoisonAsync(message, handoffMessage?.LeadId, Reason(ex.Message, handoffMessage), provider: null, cancellationToken);
        }
    }

    // The reason is logged and shown by the replay listing: CRMs echo refused values, so they come out.
    private static string Reason(string text, HandoffMessage? message) => SensitiveText.Redact(text, message?.Email, message?.Phone);

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
