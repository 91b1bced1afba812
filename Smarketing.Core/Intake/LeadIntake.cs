using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
/// give one handoff message. A qualifying score first adds the lead to the index of pending handoffs, before the
/// ledger commit, so the reconciler finds every pending handoff without scanning the ledger.
/// </summary>
public sealed class LeadIntake(
    ILeadLedger ledger,
    IHandoffEnqueuer queue,
    IPendingHandoffIndex pending,
    ScoringModel model,
    LifecyclePolicy policy,
    IOptions<HandoffOptions> handoffOptions,
    TimeProvider timeProvider,
    ILogger<LeadIntake> logger)
{
    /// <summary>Scores, records and (for a new MQL) enqueues the lead.</summary>
    /// <param name="submission">The validated lead.</param>
    /// <param name="deliveryId">The delivery's own id (e.g. <c>webhook-id</c>), when the sender gives one.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<IntakeResult> SubmitAsync(LeadSubmission submission, string? deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var (result, message) = await RecordAsync(submission, deliveryId, null, cancellationToken);
        if (message is not null)
        {
            try
            {
                await queue.EnqueueAsync(message, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await MarkEnqueueFailedAsync(result.LeadId, cancellationToken);
                throw;
            }

            logger.MqlEnqueued(result.LeadId, result.Score.Score, result.Score.ModelVersion);
        }

        return result;
    }

    /// <summary>
    /// Scores and records the lead like <see cref="SubmitAsync"/> (pending-handoff index first, then the ledger under the
    /// lifecycle contract) but sends no handoff message: a lead of an import is handed off in a batch with others. The
    /// caller puts every lead whose <see cref="IntakeResult.Status"/> is MQL into a batch; should that batch never run,
    /// the reconciler finds the pending handoff in the index like any other.
    /// </summary>
    /// <param name="submission">The validated lead.</param>
    /// <param name="deliveryId">The delivery's own id (for an import, its row).</param>
    /// <param name="reconcileAfter">
    /// How long the reconciler leaves the pending handoff to its batch before it sends a one-lead message: longer than a
    /// webhook lead's grace, since a batch may wait for the CRM's request budget.
    /// </param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<IntakeResult> RecordForBatchAsync(LeadSubmission submission, string? deliveryId, TimeSpan reconcileAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return (await RecordAsync(submission, deliveryId, reconcileAfter, cancellationToken)).Result;
    }

    private async Task<(IntakeResult Result, HandoffMessage? Message)> RecordAsync(LeadSubmission submission, string? deliveryId, TimeSpan? reconcileAfter, CancellationToken cancellationToken)
    {
        submission = await ContinueLegacyLeadAsync(submission, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var score = model.Score(submission.Profile, now);
        if (score.IsMql)
        {
            // Before the commit, so no pending handoff is ever missing from the index; an entry for a lead that did not
            // become an MQL after all (a duplicate, a refused move) is dropped by the reconciler when it comes due.
            await pending.AddAsync([new PendingHandoff { LeadId = submission.LeadId, DueAt = now + (reconcileAfter ?? handoffOptions.Value.ReconcileGrace), MqlAt = now }], cancellationToken);
        }

        var (result, message) = await ledger.UpdateAsync(
            submission.LeadId,
            current =>
            {
                var lead = current ?? Lead.Create(submission.LeadId, now);
                var outcome = lead.Submit(submission, deliveryId, score, now, policy);
                lead.DeferCounting();
                var result = new IntakeResult
                {
                    LeadId = lead.LeadId,
                    Status = lead.Status,
                    Score = score,
                    Enqueued = outcome.Handoff is not null,
                    Duplicate = outcome.Duplicate,
                };
                return outcome.Changed
                    ? LedgerDecision.Save(lead, (result, outcome.Handoff))
                    : LedgerDecision.Keep((result, outcome.Handoff));
            },
            cancellationToken);

        logger.LeadScored(submission.LeadId, score.Score, result.Status.ToWire(), result.Duplicate);
        return (result, message);
    }

    // During a migration (Intake:LegacyUnsaltedIds): a lead the ledger knows only under the id of an earlier version keeps
    // that id, so its CRM record and feedback stay joined to it; a lead new to the ledger gets the keyed id.
    private async Task<LeadSubmission> ContinueLegacyLeadAsync(LeadSubmission submission, CancellationToken cancellationToken)
    {
        if (submission.LegacyLeadIds.Count == 0 || await ledger.FindAsync(submission.LeadId, cancellationToken) is not null)
        {
            return submission;
        }

        foreach (var legacy in submission.LegacyLeadIds)
        {
            if (await ledger.FindAsync(legacy, cancellationToken) is not null)
            {
                return submission with { LeadId = legacy, LegacyLeadIds = [] };
            }
        }

        return submission;
    }

    private async Task MarkEnqueueFailedAsync(string leadId, CancellationToken cancellationToken)
    {
        try
        {
            await ledger.UpdateAsync(
                leadId,
                current => current?.MarkEnqueueFailed() == true ? LedgerDecision.Save(current, true) : LedgerDecision.Keep(false),
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The mark only speeds up the retry; without it the reconciler still finds the pending handoff.
            logger.EnqueueFailureNotMarked(leadId, ex.GetType().Name);
        }
    }
}
