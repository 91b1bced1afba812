using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Leads;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// Queue-triggered on <c>mql-handoff</c>: hands the MQL to the CRM, unless the CRM is down, rate-limited or refusing our
/// credentials (the <see cref="CrmCircuit"/> is open). Then the handoff does not call the CRM: it puts a copy of the
/// message back on the queue hidden until the next probe (never expiring, a fresh delivery count) and completes, so no
/// attempt is spent on a state of the CRM; the one handoff that claims the probe calls the CRM and closes or reschedules
/// the circuit. A handoff the shared CRM request budget refused (<see cref="CrmBudgetExhaustedException"/>) is put back
/// the same way, hidden until the budget's next window, and touches neither the circuit nor the lead's failures. A
/// handoff that can never succeed as it is (the CRM refused the record, or the message itself is broken)
/// goes to the dead-letter table at once with its reason. Any other failure reaches the host, which delivers the message
/// again; on its last delivery (<see cref="HandoffQueueOptions.MaxDequeueCount"/>) the app dead-letters it itself and
/// completes, so the host never moves it to the poison queue, where it would expire.
/// </summary>
public sealed class HandOffMql(
    MqlHandoff handoff,
    CrmCircuit circuit,
    ILeadLedger ledger,
    IHandoffEnqueuer queue,
    PoisonedHandoffStore poison,
    ICrmClient crm,
    IOptions<HandoffQueueOptions> queueOptions,
    TimeProvider timeProvider,
    ILogger<HandOffMql> logger)
{
    [Function(nameof(HandOffMql))]
    public async Task Run(
        [QueueTrigger(HandoffMessage.QueueName, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.HandoffDequeued(message.MessageId, message.DequeueCount);
        HandoffMessage? handoffMessage = null;
        CircuitPass? pass = null;
        try
        {
            handoffMessage = Parse(message.Body);
            pass = await circuit.EnterAsync(cancellationToken);
            if (pass.DeferUntil is { } until)
            {
                await DeferAsync(handoffMessage, until, cancellationToken);
                return;
            }

            if (await handoff.HandleAsync(handoffMessage, cancellationToken))
            {
                await circuit.RecordReachedAsync(pass, cancellationToken);
            }
            else
            {
                await circuit.ReleaseProbeAsync(pass, cancellationToken);
            }
        }
        catch (CrmBudgetExhaustedException ex) when (pass is not null && handoffMessage is not null)
        {
            // The app's own rate, not a state of the CRM: no request was sent, the circuit is left as it is (a probe that
            // never reached the CRM is given up), and the lead waits for the budget's next window on the queue.
            await circuit.ReleaseProbeAsync(pass, cancellationToken);
            await DeferAsync(handoffMessage, ex.RetryAt, cancellationToken);
        }
        catch (CrmTransientException ex) when (ex.Condition is not null && pass is not null && handoffMessage is not null)
        {
            // A state of the CRM, not of this lead: the circuit opens (or its probe is rescheduled) and the lead waits for it.
            var state = await circuit.RecordFailureAsync(ex, pass, await ReasonAsync($"{crm.Provider}: {ex.Message}", handoffMessage, cancellationToken), cancellationToken);
            await DeferAsync(handoffMessage, state.NextProbeAt ?? timeProvider.GetUtcNow(), cancellationToken);
        }
        catch (CrmPermanentException ex)
        {
            // The CRM answered: it is reachable and takes our credentials, whatever it thinks of this record.
            if (pass is not null)
            {
                await circuit.RecordReachedAsync(pass, cancellationToken);
            }

            await poison.PoisonAsync(message, handoffMessage?.LeadId, await ReasonAsync($"{crm.Provider} refused the record: {ex.Message}", handoffMessage, cancellationToken), crm.Provider, cancellationToken);
        }
        catch (InvalidHandoffMessageException ex)
        {
            await poison.PoisonAsync(message, handoffMessage?.LeadId, await ReasonAsync(ex.Message, handoffMessage, cancellationToken), provider: null, cancellationToken);
        }
#pragma warning disable CA1031 // Only on the last delivery: the app's own never-expiring dead letter instead of the host's poison queue.
        catch (Exception ex) when (ex is not OperationCanceledException && message.DequeueCount >= queueOptions.Value.MaxDequeueCount)
#pragma warning restore CA1031
        {
            // Should this write fail too, the exception reaches the host, which poisons the message; RecordPoisonedHandoff
            // then moves it into the same table.
            await poison.RecordRetriesExhaustedAsync(
                message,
                handoffMessage?.LeadId,
                await ReasonAsync($"Failed all {message.DequeueCount} deliveries; last error: {ex.GetType().Name}: {ex.Message}", handoffMessage, cancellationToken),
                cancellationToken);
        }
    }

    // The lead's ledger row learns when the copy becomes visible before the copy is sent, so the reconciler takes it
    // as waiting and never sends a second message for it; a lead no longer pending needs no copy.
    private async Task DeferAsync(HandoffMessage message, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var visibleAt = circuit.DeferralTime(until);
        var now = timeProvider.GetUtcNow();
        var (found, copy) = await ledger.UpdateAsync(
            message.LeadId,
            current => current is null
                ? LedgerDecision.Keep<(bool, HandoffMessage?)>((false, null))
                : current.DeferHandoff(visibleAt, now)
                    ? LedgerDecision.Save<(bool, HandoffMessage?)>(current, (true, current.ToHandoffMessage()))
                    : LedgerDecision.Keep<(bool, HandoffMessage?)>((true, null)),
            cancellationToken);
        if (!found)
        {
            throw new InvalidHandoffMessageException($"Lead '{message.LeadId}' is not in the ledger.");
        }

        if (copy is null)
        {
            logger.HandoffDeferralDropped(message.LeadId);
            return;
        }

        await queue.DeferAsync(copy, visibleAt, cancellationToken);
        logger.HandoffDeferred(message.LeadId, crm.Provider, visibleAt);
    }

    // The reason is logged and shown by the replay listing: CRMs echo refused values, so the lead's contact data (read from
    // the ledger, as the message carries none) comes out.
    // When storage is what failed, that read fails too: the reason is then redacted by the e-mail and phone patterns alone,
    // so the failure is still recorded (circuit, attempt, dead letter) instead of the read's exception replacing it.
    private async Task<string> ReasonAsync(string text, HandoffMessage? message, CancellationToken cancellationToken)
    {
        Lead? lead = null;
        if (!string.IsNullOrWhiteSpace(message?.LeadId))
        {
            try
            {
                lead = await ledger.FindAsync(message.LeadId, cancellationToken);
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or HttpRequestException or TimeoutException)
            {
                lead = null; // Redacted by the patterns alone (above).
            }
        }

        return SensitiveText.Redact(text, lead?.Email, lead?.Phone);
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
