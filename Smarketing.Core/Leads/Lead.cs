using Smarketing.Core.Contracts;
using Smarketing.Core.Scoring;

namespace Smarketing.Core.Leads;

/// <summary>
/// A lead: where it stands in the lifecycle contract and why, what is known of it, the campaign snapshots taken at
/// the moments that count, and the progress of its CRM handoff. Every change goes through one of its methods, each
/// of which guards its own rule; the lifecycle moves themselves are checked by the <see cref="LifecyclePolicy"/>.
/// A handoff is pending only while the lead is an MQL: every move out of MQL ends it.
/// </summary>
public sealed class Lead
{
    /// <summary>The actor recorded for the moves a scored submission makes (recycle, NEW → MQL).</summary>
    public const string IntakeActor = "system:ScoreLead";

    /// <summary>The actor recorded for the MQL → SAL move of a successful handoff.</summary>
    public const string HandoffActor = "system:HandOffMql";

    /// <summary>How many recent delivery ids a lead remembers.</summary>
    public const int RememberedDeliveries = 32;

    private readonly LeadLifecycle _lifecycle;
    private readonly List<string> _recentDeliveries;

    private Lead(string leadId, LeadLifecycle lifecycle, DateTimeOffset createdAt, IEnumerable<string> recentDeliveries)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(leadId);
        LeadId = leadId;
        _lifecycle = lifecycle;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
        _recentDeliveries = [.. recentDeliveries];
    }

    /// <summary>The lead's id.</summary>
    public string LeadId { get; }

    /// <summary>The current lifecycle status.</summary>
    public LeadStatus Status => _lifecycle.Status;

    /// <summary>When the lead entered its current status.</summary>
    public DateTimeOffset StatusSince => _lifecycle.StatusSince;

    /// <summary>How many times the lead was recycled to NEW.</summary>
    public int RecycleCount => _lifecycle.RecycleCount;

    /// <summary>
    /// The latest accepted moves, oldest first: those read from storage (the ledger row keeps only the latest ones, see
    /// docs/storage.md) and those made since. The full history is read page by page from the ledger.
    /// </summary>
    public IReadOnlyList<LifecycleEntry> History => _lifecycle.History;

    /// <summary>How many moves the lead has made in all; <see cref="History"/> holds the latest of them.</summary>
    public int HistoryCount => _lifecycle.EarlierCount + _lifecycle.History.Count;

    /// <summary>How many of the moves storage already holds, so a save writes only the ones made since.</summary>
    public int StoredHistoryCount { get; private set; }

    /// <summary>How many of the moves the funnel counters already hold; the moves after them are still to count.</summary>
    public int CountedMoves { get; private set; }

    /// <summary>The lead's e-mail address.</summary>
    public string? Email { get; private set; }

    /// <summary>The lead's phone number.</summary>
    public string? Phone { get; private set; }

    /// <summary>The lead's company industry.</summary>
    public string? Industry { get; private set; }

    /// <summary>The lead's company size.</summary>
    public int? CompanySize { get; private set; }

    /// <summary>The lead's country (ISO code or name), used by territory routing.</summary>
    public string? Country { get; private set; }

    /// <summary>The campaign of the latest submission.</summary>
    public string? Campaign { get; private set; }

    /// <summary>The source of the latest submission.</summary>
    public string? Source { get; private set; }

    /// <summary>The CRM record id (from the sender or the handoff).</summary>
    public string? CrmId { get; private set; }

    /// <summary>The rep who owns the lead.</summary>
    public string? OwnerId { get; private set; }

    /// <summary>The latest score.</summary>
    public int Score { get; private set; }

    /// <summary>The latest score's explanation.</summary>
    public IReadOnlyList<ScoreLine> Explanation { get; private set; } = [];

    /// <summary>The scoring model version of the latest score.</summary>
    public string? ModelVersion { get; private set; }

    /// <summary>The activity that triggered the handoff.</summary>
    public string? TriggerAction { get; private set; }

    /// <summary>What the lead looked like when it last became an MQL; null before.</summary>
    public LeadSnapshot? Mql { get; private set; }

    /// <summary>
    /// The attribution the latest disqualification was recorded with, so a redelivered disqualification rewrites the
    /// same feedback row even if later submissions changed the lead's campaign or score.
    /// </summary>
    public LeadSnapshot? Disqualification { get; private set; }

    /// <summary>The hash of the latest submission, so a re-sent lead is recognised.</summary>
    public string? LastSubmissionHash { get; private set; }

    /// <summary>The ids of the most recent deliveries of this lead, oldest first, so a redelivered webhook has no new effect.</summary>
    public IReadOnlyList<string> RecentDeliveries => _recentDeliveries;

    /// <summary>The progress of the CRM handoff.</summary>
    public HandoffState Handoff { get; private set; } = HandoffState.None;

    /// <summary>When the ledger first saw the lead.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the lead last changed.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>
    /// True when the save of this change is to leave its moves to the funnel counters' later pass (the lead's next save
    /// or the reconciler) instead of counting them inline; not stored. Intake sets it: a webhook is answered and its
    /// handoff enqueued without waiting on the counters' shared rows.
    /// </summary>
    public bool CountLater { get; private set; }

    /// <summary>Leaves the moves of this change to the funnel counters' later pass (see <see cref="CountLater"/>).</summary>
    public void DeferCounting() => CountLater = true;

    /// <summary>When the person's contact data was last erased (<see cref="Erase"/>); null when never.</summary>
    public DateTimeOffset? ErasedAt { get; private set; }

    /// <summary>The storage concurrency tag of the lead as read or last stored; null for a lead not yet stored.</summary>
    public string? ETag { get; private set; }

    /// <summary>A lead seen for the first time: NEW, with an empty history.</summary>
    public static Lead Create(string leadId, DateTimeOffset now) => new(leadId, LeadLifecycle.Create(now), now, []);

    /// <summary>
    /// Rebuilds a lead from storage. For storage adapters only: a memento edited on the way in would skip every guard
    /// of this aggregate, so a change to a lead goes through its methods.
    /// </summary>
    public static Lead Restore(LeadMemento memento)
    {
        ArgumentNullException.ThrowIfNull(memento);
        return new Lead(
            memento.LeadId,
            LeadLifecycle.Restore(memento.Status, memento.StatusSince, memento.RecycleCount, memento.History, EarlierCount(memento)),
            memento.CreatedAt,
            memento.RecentDeliveries)
        {
            Email = memento.Email,
            Phone = memento.Phone,
            Industry = memento.Industry,
            CompanySize = memento.CompanySize,
            Country = memento.Country,
            Campaign = memento.Campaign,
            Source = memento.Source,
            CrmId = memento.CrmId,
            OwnerId = memento.OwnerId,
            Score = memento.Score,
            Explanation = memento.Explanation,
            ModelVersion = memento.ModelVersion,
            TriggerAction = memento.TriggerAction,
            Mql = memento.Mql,
            Disqualification = memento.Disqualification,
            LastSubmissionHash = memento.LastSubmissionHash,
            Handoff = memento.Handoff,
            UpdatedAt = memento.UpdatedAt,
            ErasedAt = memento.ErasedAt,
            ETag = memento.ETag,
            StoredHistoryCount = memento.StoredHistoryCount,
            CountedMoves = Math.Clamp(memento.CountedMoves, 0, Math.Max(memento.HistoryCount, memento.History.Count)),
        };
    }

    /// <summary>The lead's state, flat, for storage.</summary>
    public LeadMemento ToMemento() => new()
    {
        LeadId = LeadId,
        Status = Status,
        StatusSince = StatusSince,
        RecycleCount = RecycleCount,
        History = [.. History],
        HistoryCount = HistoryCount,
        StoredHistoryCount = StoredHistoryCount,
        CountedMoves = CountedMoves,
        Email = Email,
        Phone = Phone,
        Industry = Industry,
        CompanySize = CompanySize,
        Country = Country,
        Campaign = Campaign,
        Source = Source,
        CrmId = CrmId,
        OwnerId = OwnerId,
        Score = Score,
        Explanation = Explanation,
        ModelVersion = ModelVersion,
        TriggerAction = TriggerAction,
        Mql = Mql,
        Disqualification = Disqualification,
        LastSubmissionHash = LastSubmissionHash,
        RecentDeliveries = [.. _recentDeliveries],
        Handoff = Handoff,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ErasedAt = ErasedAt,
        ETag = ETag,
    };

    /// <summary>Storage calls this after writing the lead, so a further write is made against the new tag.</summary>
    public void MarkStored(string? etag)
    {
        ETag = etag;
        StoredHistoryCount = HistoryCount;
    }

    /// <summary>Storage calls this after the funnel counters took the stored moves and the row recorded so.</summary>
    public void MarkCounted(int countedMoves, string? etag)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(countedMoves, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(countedMoves, HistoryCount);
        CountedMoves = countedMoves;
        ETag = etag;
    }

    /// <summary>
    /// Receives a scored submission. A delivery already seen (same delivery id or same content) changes nothing,
    /// unless its first delivery recorded the MQL but could not enqueue the handoff: then it asks for the message
    /// again. Otherwise the submission's fields are merged in, a lead that comes back qualified after its cool-down
    /// is recycled to NEW, and a NEW lead with a qualifying score becomes an MQL with its campaign snapshot and a
    /// pending handoff, whose message the result carries.
    /// </summary>
    public SubmissionOutcome Submit(LeadSubmission submission, string? deliveryId, ScoreResult score, DateTimeOffset now, LifecyclePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(policy);
        if ((deliveryId is not null && _recentDeliveries.Contains(deliveryId)) || LastSubmissionHash == submission.ContentHash)
        {
            if (Handoff.EnqueueFailed && IsHandoffPending)
            {
                // The first delivery recorded the MQL but could not enqueue it; the vendor's retry finishes the job.
                Handoff = Handoff with { EnqueueFailed = false };
                return new SubmissionOutcome { Duplicate = true, Changed = true, Handoff = ToHandoffMessage() };
            }

            // The same delivery again: answer as before, change nothing.
            return new SubmissionOutcome { Duplicate = true, Changed = false };
        }

        Merge(submission, score, now);
        RememberDelivery(deliveryId);

        if (Status is LeadStatus.Disqualified or LeadStatus.ClosedLost && score.IsMql)
        {
            // A lead that comes back qualified after its cool-down is recycled to nurture first.
            Move(new TransitionRequest { To = LeadStatus.New, Actor = IntakeActor, Note = "re-engaged with a qualifying score" }, policy);
        }

        HandoffMessage? message = null;
        if (Status == LeadStatus.New && score.IsMql && BecomeMql(score, now, policy))
        {
            message = ToHandoffMessage();
        }
        else if (Status == LeadStatus.Mql && ErasedAt is not null && !Handoff.Pending && Email is not null && Mql is not null)
        {
            // An erasure ended this MQL's handoff before it reached the CRM; the person came back with contact data, so
            // the handoff starts again rather than leaving an MQL that nothing will ever hand off.
            Handoff = Handoff with { Pending = true, EnqueueFailed = false, RequeuedAt = null, DeferredUntil = null, Resumes = 0, Failures = 0, LastError = null, LastFailedAt = null, Refused = false };
            message = ToHandoffMessage();
        }

        return new SubmissionOutcome { Duplicate = false, Changed = true, Handoff = message };
    }

    /// <summary>Notes that the handoff message of a pending handoff could not be put on the queue; false (and no change) otherwise.</summary>
    public bool MarkEnqueueFailed()
    {
        if (!IsHandoffPending)
        {
            return false;
        }

        Handoff = Handoff with { EnqueueFailed = true };
        return true;
    }

    /// <summary>The waits before a failed handoff is resumed: the first resume after 5 minutes, then 15, 60, and every 6 hours.</summary>
    public static readonly IReadOnlyList<TimeSpan> ResumeDelays =
        [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(6)];

    /// <summary>
    /// When the handoff's latest message was put on the queue (the MQL commit or the last re-enqueue) or, for a message
    /// deferred while the CRM circuit was open, becomes visible again; null when none is pending.
    /// </summary>
    public DateTimeOffset? LastEnqueuedAt
    {
        get
        {
            if (!IsHandoffPending || Mql is null)
            {
                return null;
            }

            var enqueued = Handoff.RequeuedAt ?? Mql.At;
            return Handoff.DeferredUntil is { } deferred && deferred > enqueued ? deferred : enqueued;
        }
    }

    /// <summary>
    /// Records that the handoff's message was put back on the queue hidden until <paramref name="until"/> because the CRM
    /// circuit is open, so the reconciler takes the message as waiting (enqueued at <paramref name="until"/>) and sends no
    /// second one. False (and no change) when no handoff is pending: the message has nothing left to do.
    /// </summary>
    public bool DeferHandoff(DateTimeOffset until, DateTimeOffset now)
    {
        if (!IsHandoffPending)
        {
            return false;
        }

        Handoff = Handoff with { DeferredUntil = until, EnqueueFailed = false };
        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// When the reconciler should next look at this lead: <paramref name="grace"/> after the last enqueue for a handoff
    /// never attempted, the resume delay after the last failure for a failed one; null when no handoff is pending or the
    /// CRM refused it for good (a replay resumes it).
    /// </summary>
    public DateTimeOffset? NextReconcileAt(TimeSpan grace)
    {
        if (LastEnqueuedAt is not { } enqueuedAt || Handoff.Refused)
        {
            return null;
        }

        if (Handoff.Failures == 0)
        {
            return enqueuedAt + grace;
        }

        var delay = ResumeDelays[Math.Min(Handoff.Resumes, ResumeDelays.Count - 1)];
        var failedAt = Handoff.LastFailedAt ?? UpdatedAt;
        return (failedAt > enqueuedAt ? failedAt : enqueuedAt) + delay;
    }

    /// <summary>
    /// True when the handoff needs a new message now: it is due (<see cref="NextReconcileAt"/>), and its last message cannot
    /// still be waiting in the queue — the enqueue failed, or the queue's oldest waiting message
    /// (<paramref name="queueFront"/>, enqueued at; null for an empty queue) was enqueued at least <paramref name="grace"/>
    /// after it, so the queue has moved past it.
    /// </summary>
    public bool IsRequeueDue(DateTimeOffset now, TimeSpan grace, DateTimeOffset? queueFront = null)
    {
        if (NextReconcileAt(grace) is not { } due || now < due)
        {
            return false;
        }

        return Handoff.EnqueueFailed || queueFront is not { } front || LastEnqueuedAt!.Value + grace <= front;
    }

    /// <summary>
    /// Claims the re-enqueueing of the handoff (see <see cref="IsRequeueDue"/>), counting a resume when attempts had failed;
    /// false (and no change) when it is not due.
    /// </summary>
    public bool ClaimRequeue(DateTimeOffset now, TimeSpan grace, DateTimeOffset? queueFront = null)
    {
        if (!IsRequeueDue(now, grace, queueFront))
        {
            return false;
        }

        Handoff = Handoff with
        {
            RequeuedAt = now,
            EnqueueFailed = false,
            Resumes = Handoff.Failures > 0 ? Handoff.Resumes + 1 : Handoff.Resumes,
        };
        return true;
    }

    /// <summary>
    /// Gives the MQL its owner before the CRM call, so a retried handoff keeps the same rep. The first owner wins:
    /// false (and no change) when the lead already has one or is no longer waiting for its handoff.
    /// </summary>
    public bool AssignOwner(string ownerId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ownerId);
        if (OwnerId is not null || !IsHandoffPending)
        {
            return false;
        }

        OwnerId = ownerId;
        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Counts a failed handoff attempt and keeps its error and time; <paramref name="refused"/> says the CRM refused the
    /// record for good, which stops the reconciler's resumes until a replayed attempt fails otherwise. False (and no
    /// change) when no handoff is pending.
    /// </summary>
    public bool RecordHandoffFailure(string error, DateTimeOffset now, bool refused = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!IsHandoffPending)
        {
            return false;
        }

        Handoff = Handoff with { Failures = Handoff.Failures + 1, LastError = TextCaps.Cut(error, TextCaps.HandoffError), LastFailedAt = now, Refused = refused };
        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Keeps the id the CRM answered an upsert with, as soon as it answered, so that a retry after a failure before
    /// the MQL → SAL move knows the record exists. False (and no change) when no handoff is pending or the id is
    /// already recorded.
    /// </summary>
    public bool RecordCrmRecord(string crmRecordId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(crmRecordId);
        if (!IsHandoffPending || (Handoff.CrmRecordedAt is not null && CrmId == crmRecordId))
        {
            return false;
        }

        CrmId = crmRecordId;
        Handoff = Handoff with { CrmRecordedAt = Handoff.CrmRecordedAt ?? now };
        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Records the CRM record and owner of a successful handoff and moves MQL → SAL. False (and no change) when the
    /// lead is no longer an MQL: a redelivered message found the work done. Throws
    /// <see cref="LifecycleTransitionException"/> when the evidence is missing.
    /// </summary>
    public bool RecordHandoffSuccess(string crmRecordId, string ownerId, string provider, DateTimeOffset now, LifecyclePolicy policy)
    {
        if (Status != LeadStatus.Mql)
        {
            return false;
        }

        var refusal = Move(
            new TransitionRequest
            {
                To = LeadStatus.Sal,
                Actor = HandoffActor,
                CrmRecordId = crmRecordId,
                OwnerId = ownerId,
                Score = Mql?.Score ?? Score,
                ModelVersion = Mql?.ModelVersion ?? ModelVersion,
                Note = $"handed off to {provider}",
            },
            policy);
        if (refusal is not null)
        {
            throw new LifecycleTransitionException(refusal);
        }

        CrmId = TextCaps.Cut(crmRecordId, TextCaps.Id);
        OwnerId = TextCaps.Cut(ownerId, TextCaps.Id);
        Handoff = Handoff with { LastError = null, HandedOffAt = now, SpeedToLead = SpeedToLeadAt(now) };
        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Applies a status change the CRM reported. The same change twice (same status, same reason) is recognised and
    /// changes nothing; a move the contract refuses changes nothing. A disqualification ends the pending handoff and
    /// takes the attribution snapshot the feedback row is written from.
    /// </summary>
    public FeedbackMove ApplyCrmFeedback(CrmFeedback feedback, DateTimeOffset now, LifecyclePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var from = Status;
        var reasonCode = TextCaps.Cut(feedback.ReasonCode, TextCaps.ReasonCode);
        if (from == feedback.Status && History.Count > 0 && History[^1].ReasonCode == reasonCode)
        {
            return new FeedbackMove { From = from, AlreadyApplied = true };
        }

        var refusal = Move(
            new TransitionRequest
            {
                To = feedback.Status,
                Actor = feedback.Rep is null ? "crm" : "crm:" + TextCaps.Cut(feedback.Rep, TextCaps.Rep),
                ReasonCode = reasonCode,
                Note = TextCaps.Cut(feedback.Note, TextCaps.Note),
                BudgetConfirmed = feedback.BudgetConfirmed,
                TimelineConfirmed = feedback.TimelineConfirmed,
                Score = Mql?.Score ?? Score,
                ModelVersion = Mql?.ModelVersion ?? ModelVersion,
            },
            policy);
        if (refusal is not null)
        {
            return new FeedbackMove { From = from, Refusal = refusal };
        }

        UpdatedAt = now;
        if (Status == LeadStatus.Disqualified)
        {
            Disqualification = new LeadSnapshot
            {
                At = now,
                Campaign = Mql?.Campaign ?? Campaign,
                Source = Mql?.Source ?? Source,
                Score = Mql?.Score ?? Score,
                ModelVersion = Mql?.ModelVersion ?? ModelVersion ?? string.Empty,
            };
        }

        return new FeedbackMove { From = from };
    }

    /// <summary>
    /// Erases the person's contact data (a GDPR Art. 17 / CCPA deletion request): e-mail address, phone, the free-text notes
    /// of the moves held here and the last handoff error (a CRM's echo of refused values). What the funnel counts stays:
    /// status, campaign snapshots, scores, times, owner and CRM ids. A pending handoff ends, so nothing more reaches the
    /// CRM. False (and no change) when there is nothing left to erase.
    /// </summary>
    public bool Erase(DateTimeOffset now)
    {
        var notes = _lifecycle.RemoveNotes();
        if (!notes && Email is null && Phone is null && Handoff.LastError is null && !Handoff.Pending && !Handoff.EnqueueFailed && ErasedAt is not null)
        {
            return false;
        }

        Email = null;
        Phone = null;
        Handoff = Handoff with { Pending = false, EnqueueFailed = false, LastError = null };
        ErasedAt = now;
        UpdatedAt = now;
        return true;
    }

    /// <summary>The handoff message of this MQL, built from its MQL snapshot: no contact data (the handoff reads it from the ledger).</summary>
    /// <exception cref="InvalidOperationException">The lead has no MQL snapshot.</exception>
    public HandoffMessage ToHandoffMessage()
    {
        var mql = Mql ?? throw new InvalidOperationException($"Lead '{LeadId}' has no MQL snapshot.");
        return new HandoffMessage
        {
            LeadId = LeadId,
            CrmId = CrmId,
            OwnerId = OwnerId,
            Score = mql.Score,
            ModelVersion = mql.ModelVersion,
            LastInterestingMoment = TriggerAction,
            Campaign = mql.Campaign,
            Source = mql.Source,
            Industry = Industry,
            Country = Country,
            CompanySize = CompanySize,
            MqlAt = mql.At,
            EnqueuedAt = LastEnqueuedAt ?? mql.At,
        };
    }

    /// <summary>True while the lead is an MQL whose handoff has not succeeded yet.</summary>
    public bool IsHandoffPending => Status == LeadStatus.Mql && Handoff.Pending;

    private void Merge(LeadSubmission submission, ScoreResult score, DateTimeOffset now)
    {
        var profile = submission.Profile;
        Email = profile.Email;
        Phone = TextCaps.Cut(profile.Phone, TextCaps.Label) ?? Phone;
        Industry = TextCaps.Cut(profile.Industry, TextCaps.Label) ?? Industry;
        Country = TextCaps.Cut(profile.Country, TextCaps.Label) ?? Country;
        CompanySize = profile.CompanySize ?? CompanySize;
        Campaign = TextCaps.Cut(submission.Campaign, TextCaps.Label) ?? Campaign;
        Source = TextCaps.Cut(submission.Source, TextCaps.Label) ?? Source;
        CrmId = TextCaps.Cut(submission.CrmId, TextCaps.Id) ?? CrmId;
        TriggerAction = TextCaps.Cut(submission.TriggerAction ?? TriggerFrom(score), TextCaps.Label) ?? TriggerAction;
        if (Status is LeadStatus.New or LeadStatus.Mql)
        {
            // A sender may name the owner until the handoff has assigned one.
            OwnerId = TextCaps.Cut(submission.OwnerId, TextCaps.Id) ?? OwnerId;
        }

        Score = score.Score;
        Explanation = score.Explanation;
        ModelVersion = score.ModelVersion;
        LastSubmissionHash = submission.ContentHash;
        UpdatedAt = now;
    }

    private void RememberDelivery(string? deliveryId)
    {
        if (deliveryId is null)
        {
            return;
        }

        _recentDeliveries.Add(deliveryId);
        if (_recentDeliveries.Count > RememberedDeliveries)
        {
            _recentDeliveries.RemoveRange(0, _recentDeliveries.Count - RememberedDeliveries);
        }
    }

    private bool BecomeMql(ScoreResult score, DateTimeOffset now, LifecyclePolicy policy)
    {
        var refusal = Move(
            new TransitionRequest
            {
                To = LeadStatus.Mql,
                Actor = IntakeActor,
                Score = score.Score,
                ModelVersion = score.ModelVersion,
                ScoreAboveThreshold = score.Score > score.Threshold,
                MissingDemographics = score.MissingForMql,
                Note = $"score {score.Score} > threshold {score.Threshold}",
            },
            policy);
        if (refusal is not null)
        {
            return false;
        }

        Mql = new LeadSnapshot { At = now, Campaign = Campaign, Source = Source, Score = score.Score, ModelVersion = score.ModelVersion };

        // A new MQL cycle: earlier cycles' failures and re-enqueues say nothing about this handoff.
        Handoff = Handoff with { Pending = true, EnqueueFailed = false, RequeuedAt = null, DeferredUntil = null, Resumes = 0, Failures = 0, LastError = null, LastFailedAt = null, Refused = false, CrmRecordedAt = null };
        return true;
    }

    // The one place a lifecycle move is made, so the handoff can never stay pending once the lead has left MQL.
    private TransitionRefusal? Move(TransitionRequest request, LifecyclePolicy policy)
    {
        // A move to MQL opens a new MQL snapshot of the lead's current campaign; every other move belongs to the current one.
        var campaign = request.To == LeadStatus.Mql ? Campaign : Mql?.Campaign ?? Campaign;
        var refusal = _lifecycle.TryApply(request with { Campaign = campaign }, policy, out _);
        if (refusal is null && Status != LeadStatus.Mql && (Handoff.Pending || Handoff.EnqueueFailed))
        {
            Handoff = Handoff with { Pending = false, EnqueueFailed = false };
        }

        return refusal;
    }

    private TimeSpan? SpeedToLeadAt(DateTimeOffset now)
    {
        if (Mql is null)
        {
            return null;
        }

        // Whole milliseconds, as storage keeps it; instances' clocks may differ a little, and a handoff is never faster than zero.
        var elapsed = now - Mql.At;
        return elapsed <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(elapsed.Ticks / TimeSpan.TicksPerMillisecond);
    }

    private static int EarlierCount(LeadMemento memento)
    {
        var total = Math.Max(memento.HistoryCount, memento.History.Count);
        if (memento.StoredHistoryCount < 0 || memento.StoredHistoryCount > total)
        {
            throw new ArgumentException($"Lead '{memento.LeadId}' stores {memento.StoredHistoryCount} of {total} history entries.", nameof(memento));
        }

        return total - memento.History.Count;
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
}
