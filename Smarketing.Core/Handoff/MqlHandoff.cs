using Microsoft.Extensions.Logging;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Handoff;

/// <summary>What one handoff attempt did.</summary>
public enum HandoffOutcome
{
    /// <summary>The CRM record was upserted and the lead moved MQL → SAL.</summary>
    HandedOff,

    /// <summary>The lead had already left MQL (a redelivered message); nothing was done.</summary>
    AlreadyDone,
}

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
/// then moves the ledger MQL → SAL. Every step is safe to repeat, so a redelivered message creates no
/// second record and no second transition. Failures are recorded on the ledger (personal data taken out)
/// and rethrown: a <see cref="CrmPermanentException"/> or <see cref="InvalidHandoffMessageException"/> for
/// the caller to poison at once, anything else for the queue's retries.
/// </summary>
public sealed class MqlHandoff(
    ILeadLedger ledger,
    ICrmClient crm,
    IOwnerAssigner owners,
    LifecyclePolicy policy,
    TimeProvider timeProvider,
    ILogger<MqlHandoff> logger)
{
    /// <summary>The actor recorded for the MQL → SAL move.</summary>
    public const string Actor = "system:HandOffMql";

    private const int MaxErrorLength = 1000;

    /// <summary>Hands off the lead named by <paramref name="message"/>.</summary>
    public async Task<HandoffOutcome> HandleAsync(HandoffMessage message, CancellationToken cancellationToken)
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
        catch (Exception ex) when (ex is not OperationCanceledException and not InvalidHandoffMessageException)
        {
            await RecordFailureAsync(message, ex, cancellationToken);
            throw;
        }
    }

    private async Task<HandoffOutcome> HandOffAsync(HandoffMessage message, CancellationToken cancellationToken)
    {
        var record = await ledger.FindAsync(message.LeadId, cancellationToken)
            ?? throw new InvalidHandoffMessageException($"Lead '{message.LeadId}' is not in the ledger.");
        if (record.Lifecycle.Status != LeadStatus.Mql)
        {
            logger.HandoffAlreadyDone(record.LeadId, record.Lifecycle.Status.ToWire());
            return HandoffOutcome.AlreadyDone;
        }

        var ownerId = record.OwnerId ?? message.OwnerId ?? await AssignOwnerAsync(
            new OwnerAssignmentRequest
            {
                LeadId = record.LeadId,
                Country = record.Country ?? message.Country,
                Industry = record.Industry ?? message.Industry,
            },
            cancellationToken);

        var result = await crm.UpsertLeadAsync(
            new CrmLeadUpsert
            {
                ExternalId = record.LeadId,
                CrmId = record.CrmId ?? message.CrmId,
                Email = message.Email,
                Phone = message.Phone,
                LeadStatus = LeadStatus.Sal.ToWire(),
                OwnerId = ownerId,
                MqlScore = message.Score,
                LastInterestingMoment = message.LastInterestingMoment,
                Campaign = message.Campaign,
                Industry = message.Industry,
                CompanySize = message.CompanySize,
                Country = record.Country ?? message.Country,
            },
            cancellationToken);

        var now = timeProvider.GetUtcNow();
        var outcome = await ledger.UpdateAsync(
            record.LeadId,
            current =>
            {
                if (current is null || current.Lifecycle.Status != LeadStatus.Mql)
                {
                    return (HandoffOutcome.AlreadyDone, (LeadRecord?)null);
                }

                current.Lifecycle.Apply(
                    new TransitionRequest
                    {
                        To = LeadStatus.Sal,
                        Actor = Actor,
                        CrmRecordId = result.RecordId,
                        OwnerId = ownerId,
                        Score = message.Score,
                        ModelVersion = message.ModelVersion,
                        Note = $"handed off to {crm.Provider}",
                    },
                    policy);
                current.CrmId = result.RecordId;
                current.OwnerId = ownerId;
                current.HandoffPending = false;
                current.LastHandoffError = null;
                current.HandedOffAt = now;
                current.UpdatedAt = now;
                return (HandoffOutcome.HandedOff, current);
            },
            cancellationToken);

        logger.HandedOff(record.LeadId, crm.Provider, result.RecordId, result.Created, ownerId);
        return outcome;
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
                if (current is null)
                {
                    return (candidate, (LeadRecord?)null);
                }

                if (current.OwnerId is not null)
                {
                    return (current.OwnerId, null);
                }

                current.OwnerId = candidate;
                current.UpdatedAt = timeProvider.GetUtcNow();
                logger.OwnerAssigned(leadId, candidate);
                return (candidate, current);
            },
            cancellationToken);
    }

    private async Task RecordFailureAsync(HandoffMessage message, Exception failure, CancellationToken cancellationToken)
    {
        var leadId = message.LeadId;

        // CRM errors echo the values they refused; the ledger and the log get them without personal data.
        var error = SensitiveText.Redact($"{failure.GetType().Name}: {failure.Message}", message.Email, message.Phone);
        if (error.Length > MaxErrorLength)
        {
            error = error[..MaxErrorLength];
        }

        var failures = await ledger.UpdateAsync(
            leadId,
            current =>
            {
                if (current is null)
                {
                    return (0, (LeadRecord?)null);
                }

                current.HandoffFailures++;
                current.LastHandoffError = error;
                current.UpdatedAt = timeProvider.GetUtcNow();
                return (current.HandoffFailures, current);
            },
            cancellationToken);
        logger.HandoffFailed(leadId, failures, error);
    }
}
