using Microsoft.Extensions.Logging;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Feedback;

/// <summary>How a piece of CRM feedback was handled.</summary>
public enum FeedbackStatus
{
    /// <summary>The ledger moved and, for a disqualification, the feedback row was written.</summary>
    Applied,

    /// <summary>The same change was already recorded (a redelivered webhook); nothing new was written.</summary>
    AlreadyApplied,

    /// <summary>The ledger does not know the lead.</summary>
    UnknownLead,

    /// <summary>The reason code is missing or not in the configured list.</summary>
    InvalidReason,

    /// <summary>The lifecycle contract refuses the move.</summary>
    Refused,
}

/// <summary>The result of recording CRM feedback.</summary>
public sealed record FeedbackOutcome
{
    /// <summary>How the feedback was handled.</summary>
    public required FeedbackStatus Status { get; init; }

    /// <summary>The lead's status afterwards (null for an unknown lead).</summary>
    public LeadStatus? LeadStatus { get; init; }

    /// <summary>A sentence for the caller when the feedback was not applied.</summary>
    public string? Message { get; init; }

    /// <summary>The refusal, for <see cref="FeedbackStatus.Refused"/>.</summary>
    public TransitionRefusal? Refusal { get; init; }

    /// <summary>The reason codes the move accepts, for <see cref="FeedbackStatus.InvalidReason"/>.</summary>
    public IReadOnlyList<string> AllowedReasonCodes { get; init; } = [];
}

/// <summary>
/// Applies the CRM's status changes to the ledger and turns each disqualification into a
/// <c>DisqualificationFeedback</c> row joined to the campaign of the lead's MQL snapshot.
/// The ledger moves first; the row is then written from the ledger's history entry, with a key that
/// makes a redelivered webhook rewrite the same row.
/// </summary>
public sealed class FeedbackRecorder(
    ILeadLedger ledger,
    IDisqualificationFeedbackStore feedbackStore,
    LifecyclePolicy policy,
    TimeProvider timeProvider,
    ILogger<FeedbackRecorder> logger)
{
    /// <summary>Records <paramref name="feedback"/>.</summary>
    public async Task<FeedbackOutcome> RecordAsync(CrmFeedback feedback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        if (feedback.Status is LeadStatus.Disqualified or LeadStatus.ClosedLost &&
            !policy.TryGetReason(feedback.Status, feedback.ReasonCode, out _))
        {
            var allowed = (feedback.Status == LeadStatus.Disqualified ? policy.DisqualificationReasons : policy.ClosedLostReasons)
                .Select(r => r.Code).Order(StringComparer.Ordinal).ToList();
            var message = feedback.ReasonCode is null
                ? $"A move to {feedback.Status.ToWire()} needs a reasonCode, one of: {string.Join(", ", allowed)}."
                : $"reasonCode '{SensitiveText.Echo(feedback.ReasonCode)}' is not configured for {feedback.Status.ToWire()}; use one of: {string.Join(", ", allowed)}.";
            logger.FeedbackRefused(feedback.LeadId, message);
            return new FeedbackOutcome { Status = FeedbackStatus.InvalidReason, Message = message, AllowedReasonCodes = allowed };
        }

        var outcome = await ledger.UpdateAsync(feedback.LeadId, current => Decide(current, feedback), cancellationToken);
        if (outcome.Status is FeedbackStatus.Applied or FeedbackStatus.AlreadyApplied && feedback.Status == LeadStatus.Disqualified)
        {
            var lead = await ledger.FindAsync(feedback.LeadId, cancellationToken);
            if (lead?.Status == LeadStatus.Disqualified)
            {
                await feedbackStore.UpsertAsync(ToFeedback(lead), cancellationToken);
            }
        }

        if (outcome.Status == FeedbackStatus.Refused)
        {
            logger.FeedbackRefused(feedback.LeadId, outcome.Message!);
        }

        return outcome;
    }

    private LedgerDecision<FeedbackOutcome> Decide(Lead? current, CrmFeedback feedback)
    {
        if (current is null)
        {
            return LedgerDecision.Keep(new FeedbackOutcome { Status = FeedbackStatus.UnknownLead, Message = $"Lead '{SensitiveText.Echo(feedback.LeadId)}' is not in the ledger." });
        }

        var move = current.ApplyCrmFeedback(feedback, timeProvider.GetUtcNow(), policy);
        if (move.AlreadyApplied)
        {
            return LedgerDecision.Keep(new FeedbackOutcome { Status = FeedbackStatus.AlreadyApplied, LeadStatus = current.Status });
        }

        if (move.Refusal is { } refusal)
        {
            return LedgerDecision.Keep(new FeedbackOutcome { Status = FeedbackStatus.Refused, LeadStatus = move.From, Message = refusal.Message, Refusal = refusal });
        }

        logger.FeedbackApplied(current.LeadId, move.From.ToWire(), feedback.Status.ToWire(), feedback.ReasonCode);
        return LedgerDecision.Save(current, new FeedbackOutcome { Status = FeedbackStatus.Applied, LeadStatus = feedback.Status });
    }

    private DisqualificationFeedback ToFeedback(Lead lead)
    {
        var entry = lead.History[^1];
        policy.TryGetReason(LeadStatus.Disqualified, entry.ReasonCode, out var reason);
        var snapshot = lead.Disqualification;
        return new DisqualificationFeedback
        {
            LeadId = lead.LeadId,
            Campaign = (snapshot is null ? lead.Mql?.Campaign ?? lead.Campaign : snapshot.Campaign) ?? DisqualificationFeedback.UnknownCampaign,
            Source = snapshot is null ? lead.Mql?.Source ?? lead.Source : snapshot.Source,
            ReasonCode = entry.ReasonCode!,
            ReasonCategory = reason?.Category ?? "other",
            ReasonLabel = reason?.Label,
            Note = entry.Note,
            Score = snapshot?.Score ?? lead.Mql?.Score ?? lead.Score,
            ModelVersion = snapshot is { ModelVersion.Length: > 0 } ? snapshot.ModelVersion : lead.Mql?.ModelVersion ?? lead.ModelVersion,
            FromStatus = entry.From.ToWire(),
            Rep = entry.Actor.StartsWith("crm:", StringComparison.Ordinal) ? entry.Actor[4..] : lead.OwnerId,
            Cycle = entry.RecycleCount,
            DisqualifiedAt = entry.At,
        };
    }
}
