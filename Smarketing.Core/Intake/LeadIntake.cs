using Microsoft.Extensions.Logging;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;

namespace Smarketing.Core.Intake;

/// <summary>What the intake did with a submitted lead.</summary>
public sealed record IntakeResult
{
    /// <summary>The lead's id.</summary>
    public required string LeadId { get; init; }

    /// <summary>The lead's status after the intake.</summary>
    public required LeadStatus Status { get; init; }

    /// <summary>The score and its explanation.</summary>
    public required ScoreResult Score { get; init; }

    /// <summary>True when this submission put a handoff message on the queue.</summary>
    public required bool Enqueued { get; init; }

    /// <summary>True when the ledger had already seen exactly this submission.</summary>
    public required bool Duplicate { get; init; }
}

/// <summary>
/// Scores a submitted lead, records it in the ledger, moves it NEW → MQL when the contract allows, and
/// enqueues the handoff. The ledger row is written (with the handoff marked pending) before the enqueue,
/// and only the writer that won the NEW → MQL move enqueues, so concurrent or repeated deliveries of a lead
/// give one handoff message.
/// </summary>
public sealed class LeadIntake(
    ILeadLedger ledger,
    IHandoffEnqueuer queue,
    ScoringModel model,
    LifecyclePolicy policy,
    TimeProvider timeProvider,
    ILogger<LeadIntake> logger)
{
    /// <summary>The actor recorded for moves the intake makes.</summary>
    public const string Actor = "system:ScoreLead";

    /// <summary>How many recent delivery ids a ledger row remembers.</summary>
    public const int RememberedDeliveries = 32;

    /// <summary>Scores, records and (for a new MQL) enqueues the lead.</summary>
    /// <param name="submission">The validated lead.</param>
    /// <param name="deliveryId">The delivery's own id (e.g. <c>webhook-id</c>), when the sender gives one.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<IntakeResult> SubmitAsync(LeadSubmission submission, string? deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var now = timeProvider.GetUtcNow();
        var score = model.Score(submission.Profile, now);

        var (result, message) = await ledger.UpdateAsync(
            submission.LeadId,
            current => Decide(current, submission, deliveryId, score, now),
            cancellationToken);

        if (message is not null)
        {
            try
            {
                await queue.EnqueueAsync(message, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await MarkEnqueueFailedAsync(submission.LeadId, cancellationToken);
                throw;
            }

            logger.MqlEnqueued(submission.LeadId, score.Score, score.ModelVersion);
        }

        logger.LeadScored(submission.LeadId, score.Score, result.Status.ToWire(), result.Duplicate);
        return result;
    }

    private async Task MarkEnqueueFailedAsync(string leadId, CancellationToken cancellationToken)
    {
        try
        {
            await ledger.UpdateAsync(
                leadId,
                current =>
                {
                    if (current is null || !current.HandoffPending || current.Lifecycle.Status != LeadStatus.Mql)
                    {
                        return (false, (LeadRecord?)null);
                    }

                    current.HandoffEnqueueFailed = true;
                    return (true, current);
                },
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The mark only speeds up the retry; without it the reconciler still finds the pending handoff.
            logger.EnqueueFailureNotMarked(leadId, ex.GetType().Name);
        }
    }

    private ((IntakeResult, HandoffMessage?), LeadRecord?) Decide(LeadRecord? current, LeadSubmission submission, string? deliveryId, ScoreResult score, DateTimeOffset now)
    {
        if (current is not null &&
            ((deliveryId is not null && current.RecentDeliveries.Contains(deliveryId)) || current.LastSubmissionHash == submission.ContentHash))
        {
            if (current.HandoffEnqueueFailed && current.HandoffPending && current.Lifecycle.Status == LeadStatus.Mql)
            {
                // The first delivery recorded the MQL but could not enqueue it; the vendor's retry finishes the job.
                current.HandoffEnqueueFailed = false;
                return ((Result(current, score, enqueued: true, duplicate: true), ToMessage(current)), current);
            }

            // The same delivery again: answer as before, change nothing.
            return ((Result(current, score, enqueued: false, duplicate: true), null), null);
        }

        var record = current ?? new LeadRecord
        {
            LeadId = submission.LeadId,
            Lifecycle = LeadLifecycle.Create(now),
            CreatedAt = now,
        };
        var profile = submission.Profile;
        record.Email = profile.Email;
        record.Phone = profile.Phone ?? record.Phone;
        record.Industry = profile.Industry ?? record.Industry;
        record.Country = profile.Country ?? record.Country;
        record.CompanySize = profile.CompanySize ?? record.CompanySize;
        record.Campaign = submission.Campaign ?? record.Campaign;
        record.Source = submission.Source ?? record.Source;
        record.CrmId = submission.CrmId ?? record.CrmId;
        record.TriggerAction = submission.TriggerAction ?? TriggerFrom(score) ?? record.TriggerAction;
        if (record.Lifecycle.Status is LeadStatus.New or LeadStatus.Mql)
        {
            // A sender may name the owner until the handoff has assigned one.
            record.OwnerId = submission.OwnerId ?? record.OwnerId;
        }

        record.Score = score.Score;
        record.Explanation = score.Explanation;
        record.ModelVersion = score.ModelVersion;
        record.LastSubmissionHash = submission.ContentHash;
        record.UpdatedAt = now;
        if (deliveryId is not null)
        {
            record.RecentDeliveries.Add(deliveryId);
            while (record.RecentDeliveries.Count > RememberedDeliveries)
            {
                record.RecentDeliveries.RemoveAt(0);
            }
        }

        if (record.Lifecycle.Status is LeadStatus.Disqualified or LeadStatus.ClosedLost && score.IsMql)
        {
            // A lead that comes back qualified after its cool-down is recycled to nurture first.
            record.Lifecycle.TryApply(new TransitionRequest { To = LeadStatus.New, Actor = Actor, Note = "re-engaged with a qualifying score" }, policy, out _);
        }

        HandoffMessage? message = null;
        if (record.Lifecycle.Status == LeadStatus.New && score.IsMql)
        {
            var refusal = record.Lifecycle.TryApply(
                new TransitionRequest
                {
                    To = LeadStatus.Mql,
                    Actor = Actor,
                    Score = score.Score,
                    ModelVersion = score.ModelVersion,
                    ScoreAboveThreshold = score.Score > score.Threshold,
                    MissingDemographics = score.MissingForMql,
                    Note = $"score {score.Score} > threshold {score.Threshold}",
                },
                policy,
                out _);
            if (refusal is null)
            {
                record.Mql = new LeadSnapshot
                {
                    At = now,
                    Campaign = record.Campaign,
                    Source = record.Source,
                    Score = score.Score,
                    ModelVersion = score.ModelVersion,
                };
                record.HandoffPending = true;
                record.HandoffEnqueueFailed = false;
                record.HandoffFailures = 0;
                record.LastHandoffError = null;
                message = ToMessage(record);
            }
        }

        return ((Result(record, score, message is not null, duplicate: false), message), record);
    }

    /// <summary>The handoff message for a lead the ledger holds as MQL.</summary>
    public static HandoffMessage ToMessage(LeadRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var mql = record.Mql ?? throw new InvalidOperationException($"Lead '{record.LeadId}' has no MQL snapshot.");
        return new HandoffMessage
        {
            LeadId = record.LeadId,
            Email = record.Email ?? throw new InvalidOperationException($"Lead '{record.LeadId}' has no e-mail address."),
            Phone = record.Phone,
            CrmId = record.CrmId,
            OwnerId = record.OwnerId,
            Score = mql.Score,
            ModelVersion = mql.ModelVersion,
            LastInterestingMoment = record.TriggerAction,
            Campaign = mql.Campaign,
            Source = mql.Source,
            Industry = record.Industry,
            Country = record.Country,
            CompanySize = record.CompanySize,
            MqlAt = mql.At,
        };
    }

    private static string? TriggerFrom(ScoreResult score)
    {
        // The strongest positive line is the moment a rep wants to read first.
        ScoreLine? best = null;
        foreach (var line in score.Explanation)
        {
            if (!line.IsGate && line.Points > 0 && (best is null || line.Points > best.Points))
            {
                best = line;
            }
        }

        return best?.Description;
    }

    private static IntakeResult Result(LeadRecord record, ScoreResult score, bool enqueued, bool duplicate) => new()
    {
        LeadId = record.LeadId,
        Status = record.Lifecycle.Status,
        Score = score,
        Enqueued = enqueued,
        Duplicate = duplicate,
    };
}
