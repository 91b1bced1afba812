using Microsoft.Extensions.Logging;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Handoff;

/// <summary>The message cannot be handed off however often it is retried.</summary>
public sealed class InvalidHandoffMessageException : Exception
{
    /// <summary>Creates the exception naming what is wrong.</summary>
    public InvalidHandoffMessageException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Hands an MQL to the CRM: assigns an owner when it has none, upserts the CRM record by external id,
/// keeps the record's id on the ledger as soon as the CRM answered, then moves the ledger MQL → SAL. Every
/// step is safe to repeat, so a redelivered message creates no second record and no second transition; a
/// retry after an upsert that reached the CRM sends owner and status only if the record must be created
/// again, so a rep's changes in between stand. Failures are recorded on the ledger (personal data taken out)
/// and rethrown: a <see cref="CrmPermanentException"/> or <see cref="InvalidHandoffMessageException"/> for
/// the caller to dead-letter at once, a <see cref="CrmTransientException"/> with a <see cref="CrmCondition"/> for the
/// caller's <see cref="CrmCircuit"/>, anything else for the queue's retries. A request the shared budget refused
/// (<see cref="CrmBudgetExhaustedException"/>) is no failure: nothing is recorded, the caller waits for the budget.
/// </summary>
public sealed class MqlHandoff(
    ILeadLedger ledger,
    ICrmClient crm,
    IOwnerAssigner owners,
    LifecyclePolicy policy,
    TimeProvider timeProvider,
    ILogger<MqlHandoff> logger)
{
    private const int MaxErrorLength = 1000;

    /// <summary>
    /// Hands off the lead named by <paramref name="message"/>; true when the CRM was called and answered, false when the
    /// lead needed no handoff any more (a redelivered message found the work done).
    /// </summary>
    public async Task<bool> HandleAsync(HandoffMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var errors = message.Validate();
        if (!errors.IsEmpty)
        {
            throw new InvalidHandoffMessageException($"The handoff message is incomplete: {errors}");
        }

        try
        {
            return await HandOffAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not InvalidHandoffMessageException and not CrmBudgetExhaustedException)
        {
            await RecordFailureAsync(message, ex, cancellationToken);
            throw;
        }
    }

    private async Task<bool> HandOffAsync(HandoffMessage message, CancellationToken cancellationToken)
    {
        var lead = await ledger.FindAsync(message.LeadId, cancellationToken)
            ?? throw new InvalidHandoffMessageException($"Lead '{message.LeadId}' is not in the ledger.");
        if (lead.Status != LeadStatus.Mql)
        {
            logger.HandoffAlreadyDone(lead.LeadId, lead.Status.ToWire());
            return false;
        }

        // The contact data comes from the ledger, never from the message: an erased person is not sent to the CRM.
        if (lead.Email is null)
        {
            if (lead.ErasedAt is not null)
            {
                logger.HandoffOfErasedLeadSkipped(lead.LeadId);
                return false;
            }

            throw new InvalidHandoffMessageException($"Lead '{lead.LeadId}' has no e-mail address in the ledger.");
        }

        var ownerId = lead.OwnerId ?? message.OwnerId ?? await AssignOwnerAsync(
            new OwnerAssignmentRequest
            {
                LeadId = lead.LeadId,
                Country = lead.Country ?? message.Country,
                Industry = lead.Industry ?? message.Industry,
            },
            cancellationToken);

        var alreadyUpserted = lead.Handoff.CrmRecordedAt is not null;
        var result = await crm.UpsertLeadAsync(
            new CrmLeadUpsert
            {
                ExternalId = lead.LeadId,
                CrmId = lead.CrmId ?? message.CrmId,
                Email = lead.Email,
                Phone = lead.Phone,
                LeadStatus = LeadStatus.Sal.ToWire(),
                OwnerId = ownerId,
                AlreadyUpserted = alreadyUpserted,
                MqlScore = message.Score,
                LastInterestingMoment = message.LastInterestingMoment,
                Campaign = message.Campaign,
                Industry = message.Industry,
                CompanySize = message.CompanySize,
                Country = lead.Country ?? message.Country,
            },
            cancellationToken);

        // Kept before the move, in its own write: if the move fails or the process dies, the next delivery
        // knows the record exists and leaves what a rep changed in it alone.
        if (!alreadyUpserted || lead.CrmId != result.RecordId)
        {
            await ledger.UpdateAsync(
                lead.LeadId,
                current => current?.RecordCrmRecord(result.RecordId, timeProvider.GetUtcNow()) == true
                    ? LedgerDecision.Save(current, true)
                    : LedgerDecision.Keep(false),
                cancellationToken);
        }

        var now = timeProvider.GetUtcNow();
        await ledger.UpdateAsync(
            lead.LeadId,
            current => current?.RecordHandoffSuccess(result.RecordId, ownerId, crm.Provider, now, policy) == true
                ? LedgerDecision.Save(current, true)
                : LedgerDecision.Keep(false),
            cancellationToken);

        logger.HandedOff(lead.LeadId, crm.Provider, result.RecordId, result.Created, ownerId);
        return true;
    }

    private async Task<string> AssignOwnerAsync(OwnerAssignmentRequest request, CancellationToken cancellationToken)
    {
        var leadId = request.LeadId;
        var candidate = await owners.AssignAsync(request, cancellationToken);

        // The owner is written before the CRM call, so a retried handoff keeps the same rep
        // instead of drawing another one from the round-robin.
        return await ledger.UpdateAsync(
            leadId,
            current =>
            {
                if (current?.AssignOwner(candidate, timeProvider.GetUtcNow()) == true)
                {
                    logger.OwnerAssigned(leadId, candidate);
                    return LedgerDecision.Save(current, candidate);
                }

                return LedgerDecision.Keep(current?.OwnerId ?? candidate);
            },
            cancellationToken);
    }

    private async Task RecordFailureAsync(HandoffMessage message, Exception failure, CancellationToken cancellationToken)
    {
        var leadId = message.LeadId;
        var error = $"{failure.GetType().Name}: {failure.Message}";

        // CRM errors echo the values they refused; the ledger and the log get them without the lead's contact data.
        var failures = await ledger.UpdateAsync(
            leadId,
            current =>
            {
                error = SensitiveText.Redact(error, current?.Email, current?.Phone);
                if (error.Length > MaxErrorLength)
                {
                    error = error[..MaxErrorLength];
                }

                return current?.RecordHandoffFailure(error, timeProvider.GetUtcNow(), refused: failure is CrmPermanentException) == true
                    ? LedgerDecision.Save(current, current.Handoff.Failures)
                    : LedgerDecision.Keep(current?.Handoff.Failures ?? 0);
            },
            cancellationToken);
        logger.HandoffFailed(leadId, failures, error);
    }
}
