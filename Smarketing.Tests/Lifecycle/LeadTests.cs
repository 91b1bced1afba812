using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Xunit;

namespace Smarketing.Tests.Lifecycle;

/// <summary>The aggregate's own rules: dedup, the MQL snapshot, and a handoff that is pending only while the lead is an MQL.</summary>
public sealed class LeadTests
{
    private const string LeadId = "lead-1";
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly LifecyclePolicy _policy;

    public LeadTests() => _policy = new LifecyclePolicy(LifecycleOptions.CreateDefault(), _time);

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void Submit_QualifyingScoreOnNewLead_BecomesMqlWithSnapshotPendingHandoffAndMessage()
    {
        var sut = Lead.Create(LeadId, Now);

        var outcome = sut.Submit(Submission("h1", campaign: "spring"), "d1", Qualifying(), Now, _policy);

        Assert.False(outcome.Duplicate);
        Assert.True(outcome.Changed);
        Assert.Equal(LeadStatus.Mql, sut.Status);
        Assert.Equal(new LeadSnapshot { At = Start, Campaign = "spring", Score = 80, ModelVersion = "v1" }, sut.Mql);
        Assert.True(sut.Handoff.Pending);
        var message = Assert.IsType<HandoffMessage>(outcome.Handoff);
        Assert.Equal((LeadId, 80, "v1", "spring", Start), (message.LeadId, message.Score, message.ModelVersion, message.Campaign, message.MqlAt));
        Assert.Equal("Viewed the pricing page", message.LastInterestingMoment);
        Assert.Equal(Lead.IntakeActor, Assert.Single(sut.History).Actor);
    }

    [Fact]
    public void Submit_ScoreNotQualifying_StaysNewWithoutHandoff()
    {
        var sut = Lead.Create(LeadId, Now);

        var outcome = sut.Submit(Submission("h1"), "d1", Score(40), Now, _policy);

        Assert.True(outcome.Changed);
        Assert.Null(outcome.Handoff);
        Assert.Equal(LeadStatus.New, sut.Status);
        Assert.Equal(HandoffState.None, sut.Handoff);
        Assert.Null(sut.Mql);
    }

    [Fact]
    public void Submit_SameDeliveryIdAgain_IsADuplicateThatChangesNothing()
    {
        var sut = Lead.Create(LeadId, Now);
        sut.Submit(Submission("h1"), "d1", Qualifying(), Now, _policy);
        var before = sut.ToMemento();
        _time.Advance(TimeSpan.FromMinutes(1));

        var outcome = sut.Submit(Submission("h2", campaign: "other"), "d1", Qualifying(), Now, _policy);

        Assert.True(outcome.Duplicate);
        Assert.False(outcome.Changed);
        Assert.Null(outcome.Handoff);
        AssertSame(before, sut);
    }

    [Fact]
    public void Submit_SameContentUnderANewDeliveryId_IsADuplicate()
    {
        var sut = Lead.Create(LeadId, Now);
        sut.Submit(Submission("h1"), "d1", Qualifying(), Now, _policy);

        var outcome = sut.Submit(Submission("h1"), "d2", Qualifying(), Now, _policy);

        Assert.True(outcome.Duplicate);
        Assert.False(outcome.Changed);
        Assert.Equal(["d1"], sut.RecentDeliveries);
    }

    [Fact]
    public void Submit_RedeliveryAfterTheEnqueueFailed_AsksForTheMessageOnceMore()
    {
        var sut = Lead.Create(LeadId, Now);
        sut.Submit(Submission("h1"), "d1", Qualifying(), Now, _policy);
        Assert.True(sut.MarkEnqueueFailed());

        var retry = sut.Submit(Submission("h1"), "d1", Qualifying(), Now, _policy);
        var again = sut.Submit(Submission("h1"), "d1", Qualifying(), Now, _policy);

        Assert.True(retry.Duplicate);
        Assert.True(retry.Changed);
        Assert.NotNull(retry.Handoff);
        Assert.False(sut.Handoff.EnqueueFailed);
        Assert.Null(again.Handoff);
        Assert.False(again.Changed);
    }

    [Fact]
    public void Submit_ManyDeliveries_RemembersOnlyTheMostRecent()
    {
        var sut = Lead.Create(LeadId, Now);

        for (var i = 0; i < Lead.RememberedDeliveries + 3; i++)
        {
            sut.Submit(Submission($"h{i}"), $"d{i}", Score(40), Now, _policy);
        }

        Assert.Equal(Lead.RememberedDeliveries, sut.RecentDeliveries.Count);
        Assert.Equal("d3", sut.RecentDeliveries[0]);
        Assert.Equal($"d{Lead.RememberedDeliveries + 2}", sut.RecentDeliveries[^1]);
    }

    [Fact]
    public void Submit_OwnerNamedBySender_KeptUntilTheHandoffAssignedOne()
    {
        var sut = Mql();
        sut.RecordHandoffSuccess("crm-1", "rep-handoff", "Sandbox", Now, _policy);

        sut.Submit(Submission("h2") with { OwnerId = "rep-sender" }, "d2", Qualifying(), Now, _policy);

        Assert.Equal("rep-handoff", sut.OwnerId);
    }

    [Fact]
    public void Submit_DisqualifiedLeadQualifiesAfterTheCooldown_RecycledToMqlWithAFreshHandoff()
    {
        var sut = Mql();
        sut.RecordHandoffFailure("CRM down", Now);
        sut.ClaimRequeue(Now + Grace, Grace);
        sut.ApplyCrmFeedback(Disqualify(), Now, _policy);
        _time.Advance(_policy.RecycleCooldown);

        var outcome = sut.Submit(Submission("h2", campaign: "autumn"), "d2", Qualifying(), Now, _policy);

        Assert.NotNull(outcome.Handoff);
        Assert.Equal([LeadStatus.Mql, LeadStatus.Disqualified, LeadStatus.New, LeadStatus.Mql], sut.History.Select(e => e.To));
        Assert.Equal(1, sut.RecycleCount);
        Assert.Equal("autumn", sut.Mql!.Campaign);
        Assert.Equal(new HandoffState { Pending = true }, sut.Handoff);
    }

    [Fact]
    public void Submit_DisqualifiedLeadQualifiesWithinTheCooldown_StaysDisqualifiedWithoutHandoff()
    {
        var sut = Mql();
        sut.ApplyCrmFeedback(Disqualify(), Now, _policy);

        var outcome = sut.Submit(Submission("h2"), "d2", Qualifying(), Now, _policy);

        Assert.True(outcome.Changed);
        Assert.Null(outcome.Handoff);
        Assert.Equal(LeadStatus.Disqualified, sut.Status);
        Assert.False(sut.Handoff.Pending);
    }

    [Fact]
    public void MarkEnqueueFailed_NoHandoffPending_RefusedAndChangesNothing()
    {
        var sut = Lead.Create(LeadId, Now);
        sut.Submit(Submission("h1"), "d1", Score(40), Now, _policy);

        Assert.False(sut.MarkEnqueueFailed());
        Assert.False(sut.Handoff.EnqueueFailed);
    }

    [Fact]
    public void ClaimRequeue_BeforeTheGracePeriod_Refused()
    {
        var sut = Mql();

        Assert.False(sut.ClaimRequeue(Now + Grace - TimeSpan.FromTicks(1), Grace));
        Assert.Null(sut.Handoff.RequeuedAt);
    }

    [Fact]
    public void ClaimRequeue_AfterTheGracePeriod_ClaimedOnceThenNotBeforeAnotherGracePeriod()
    {
        var sut = Mql();
        sut.MarkEnqueueFailed();
        var at = Now + Grace;

        Assert.True(sut.ClaimRequeue(at, Grace));
        Assert.Equal(at, sut.Handoff.RequeuedAt);
        Assert.False(sut.Handoff.EnqueueFailed);
        Assert.False(sut.ClaimRequeue(at + Grace - TimeSpan.FromTicks(1), Grace));
        Assert.True(sut.ClaimRequeue(at + Grace, Grace));
    }

    [Fact]
    public void ClaimRequeue_HandoffAttemptedAndFailed_NotBeforeTheFirstResumeDelay()
    {
        var sut = Mql();
        sut.RecordHandoffFailure("CRM down", Now);

        Assert.False(sut.IsRequeueDue(Now + Lead.ResumeDelays[0] - TimeSpan.FromTicks(1), Grace));
        Assert.False(sut.ClaimRequeue(Now + Lead.ResumeDelays[0] - TimeSpan.FromTicks(1), Grace));
        Assert.True(sut.ClaimRequeue(Now + Lead.ResumeDelays[0], Grace));
        Assert.Equal(1, sut.Handoff.Resumes);
    }

    [Fact]
    public void ClaimRequeue_FailedAgainAfterEachResume_EachWaitLonger()
    {
        var sut = Mql();
        var failedAt = Now;
        foreach (var delay in Lead.ResumeDelays.Concat([Lead.ResumeDelays[^1]]))
        {
            sut.RecordHandoffFailure("CRM down", failedAt);
            Assert.False(sut.ClaimRequeue(failedAt + delay - TimeSpan.FromTicks(1), Grace));
            Assert.True(sut.ClaimRequeue(failedAt + delay, Grace));
            failedAt += delay + TimeSpan.FromMinutes(1);
        }

        Assert.Equal(Lead.ResumeDelays.Count + 1, sut.Handoff.Resumes);
    }

    [Fact]
    public void ClaimRequeue_RefusedByTheCrm_NeverUntilAReplayedAttemptFailsOtherwise()
    {
        var sut = Mql();
        sut.RecordHandoffFailure("record refused", Now, refused: true);

        Assert.Null(sut.NextReconcileAt(Grace));
        Assert.False(sut.ClaimRequeue(Now + TimeSpan.FromDays(30), Grace));

        sut.RecordHandoffFailure("CRM down", Now + TimeSpan.FromDays(30));
        Assert.True(sut.ClaimRequeue(Now + TimeSpan.FromDays(30) + Lead.ResumeDelays[0], Grace));
    }

    [Fact]
    public void ClaimRequeue_QueueFrontNotPastTheLastEnqueue_Refused()
    {
        var sut = Mql();
        var later = Now + TimeSpan.FromHours(1);

        Assert.False(sut.ClaimRequeue(later, Grace, queueFront: Now));
        Assert.False(sut.ClaimRequeue(later, Grace, queueFront: Now + Grace - TimeSpan.FromTicks(1)));
        Assert.True(sut.ClaimRequeue(later, Grace, queueFront: Now + Grace));
    }

    [Fact]
    public void ClaimRequeue_EnqueueFailed_ClaimedWhateverTheQueueHolds()
    {
        var sut = Mql();
        sut.MarkEnqueueFailed();

        Assert.True(sut.ClaimRequeue(Now + Grace, Grace, queueFront: Now - TimeSpan.FromHours(1)));
    }

    [Fact]
    public void ClaimRequeue_MessageDeferredWhileTheCrmCircuitIsOpen_NotWhileItIsHiddenEvenWithAnEmptyQueue()
    {
        // A failed attempt opened the circuit; the message was put back hidden for two days (the queue's peek can't see it).
        var sut = Mql();
        sut.RecordHandoffFailure("CRM down", Now);
        var visibleAt = Now + TimeSpan.FromDays(2);

        Assert.True(sut.DeferHandoff(visibleAt, Now));

        Assert.Equal(visibleAt, sut.LastEnqueuedAt);
        Assert.Equal(visibleAt, sut.ToHandoffMessage().EnqueuedAt);
        Assert.False(sut.ClaimRequeue(visibleAt, Grace, queueFront: null));
        Assert.False(sut.ClaimRequeue(visibleAt + Lead.ResumeDelays[0] - TimeSpan.FromTicks(1), Grace, queueFront: null));
        Assert.True(sut.ClaimRequeue(visibleAt + Lead.ResumeDelays[0], Grace, queueFront: null));
    }

    [Fact]
    public void DeferHandoff_NoHandoffPending_RefusedAndChangesNothing()
    {
        var sut = Mql();
        sut.RecordHandoffSuccess("crm-1", "rep-1", "Sandbox", Now, _policy);

        Assert.False(sut.DeferHandoff(Now + TimeSpan.FromHours(1), Now));
        Assert.Null(sut.Handoff.DeferredUntil);
    }

    [Fact]
    public void ClaimRequeue_LeadNoLongerMql_Refused()
    {
        var sut = Mql();
        sut.RecordHandoffSuccess("crm-1", "rep-1", "Sandbox", Now, _policy);

        Assert.False(sut.ClaimRequeue(Now + Grace, Grace));
    }

    [Fact]
    public void AssignOwner_FirstOwnerWins()
    {
        var sut = Mql();

        Assert.True(sut.AssignOwner("rep-1", Now));
        Assert.False(sut.AssignOwner("rep-2", Now));
        Assert.Equal("rep-1", sut.OwnerId);
        Assert.Equal("rep-1", sut.ToHandoffMessage().OwnerId);
    }

    [Fact]
    public void AssignOwner_LeadNoLongerWaitingForItsHandoff_Refused()
    {
        var sut = Mql();
        sut.ApplyCrmFeedback(Disqualify(), Now, _policy);

        Assert.False(sut.AssignOwner("rep-1", Now));
        Assert.Null(sut.OwnerId);
    }

    [Fact]
    public void RecordHandoffFailure_Mql_CountsAndKeepsTheError()
    {
        var sut = Mql();

        Assert.True(sut.RecordHandoffFailure("first", Now));
        Assert.True(sut.RecordHandoffFailure("second", Now));

        Assert.Equal((true, 2, "second"), (sut.Handoff.Pending, sut.Handoff.Failures, sut.Handoff.LastError));
    }

    [Fact]
    public void RecordHandoffFailure_LeadNoLongerMql_ChangesNothing()
    {
        var sut = Mql();
        sut.ApplyCrmFeedback(Disqualify(), Now, _policy);
        var before = sut.ToMemento();

        Assert.False(sut.RecordHandoffFailure("late failure", Now.AddMinutes(1)));
        AssertSame(before, sut);
    }

    [Fact]
    public void RecordCrmRecord_PendingHandoff_KeepsTheIdAndStaysMql()
    {
        var sut = Mql();

        Assert.True(sut.RecordCrmRecord("crm-1", Now));

        Assert.Equal(LeadStatus.Mql, sut.Status);
        Assert.Equal("crm-1", sut.CrmId);
        Assert.Equal(Now, sut.Handoff.CrmRecordedAt);
        Assert.True(sut.Handoff.Pending);
    }

    [Fact]
    public void RecordCrmRecord_SameIdAgain_ReturnsFalseAndChangesNothing()
    {
        var sut = Mql();
        sut.RecordCrmRecord("crm-1", Now);
        var before = sut.ToMemento();

        Assert.False(sut.RecordCrmRecord("crm-1", Now.AddMinutes(1)));
        AssertSame(before, sut);
    }

    [Fact]
    public void RecordCrmRecord_NoHandoffPending_ReturnsFalseAndChangesNothing()
    {
        var sut = Mql();
        sut.RecordHandoffSuccess("crm-1", "rep-1", "Sandbox", Now, _policy);
        var before = sut.ToMemento();

        Assert.False(sut.RecordCrmRecord("crm-2", Now.AddMinutes(1)));
        AssertSame(before, sut);
    }

    [Fact]
    public void RecordHandoffSuccess_AfterRecordCrmRecord_KeepsWhenTheRecordWasFirstKnown()
    {
        var sut = Mql();
        sut.RecordCrmRecord("crm-1", Now);
        sut.RecordHandoffSuccess("crm-1", "rep-1", "Sandbox", Now, _policy);

        Assert.Equal(new HandoffState { CrmRecordedAt = Now, HandedOffAt = Now, SpeedToLead = Now - sut.Mql!.At }, sut.Handoff);
    }

    [Fact]
    public void RecordHandoffSuccess_Mql_MovesToSalAndEndsTheHandoff()
    {
        var sut = Mql();
        sut.RecordHandoffFailure("CRM down", Now);
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.True(sut.RecordHandoffSuccess("crm-1", "rep-1", "Sandbox", Now, _policy));

        Assert.Equal(LeadStatus.Sal, sut.Status);
        Assert.Equal(("crm-1", "rep-1"), (sut.CrmId, sut.OwnerId));
        Assert.Equal(new HandoffState { Failures = 1, LastFailedAt = Now - TimeSpan.FromMinutes(2), HandedOffAt = Now, SpeedToLead = Now - sut.Mql!.At }, sut.Handoff);
        Assert.Equal(TimeSpan.FromMinutes(2), sut.Handoff.SpeedToLead);
        var entry = sut.History[^1];
        Assert.Equal((Lead.HandoffActor, "crm-1", "rep-1", 80, "handed off to Sandbox"), (entry.Actor, entry.CrmRecordId, entry.OwnerId, entry.Score, entry.Note));
    }

    [Fact]
    public void RecordHandoffSuccess_LeadNoLongerMql_ReturnsFalseAndChangesNothing()
    {
        var sut = Mql();
        sut.RecordHandoffSuccess("crm-1", "rep-1", "Sandbox", Now, _policy);
        var before = sut.ToMemento();

        Assert.False(sut.RecordHandoffSuccess("crm-2", "rep-2", "Sandbox", Now.AddMinutes(1), _policy));
        AssertSame(before, sut);
    }

    [Fact]
    public void RecordHandoffSuccess_WithoutACrmRecord_RefusedByTheContract()
    {
        var sut = Mql();

        var ex = Assert.Throws<LifecycleTransitionException>(() => sut.RecordHandoffSuccess(" ", "rep-1", "Sandbox", Now, _policy));

        Assert.Equal(LeadStatus.Sal, ex.Refusal.To);
        Assert.Equal(LeadStatus.Mql, sut.Status);
        Assert.True(sut.Handoff.Pending);
    }

    [Fact]
    public void ApplyCrmFeedback_Disqualified_EndsThePendingHandoffAndTakesTheSnapshot()
    {
        var sut = Mql();
        sut.MarkEnqueueFailed();
        sut.Submit(Submission("h2", campaign: "later"), "d2", Qualifying(), Now, _policy);
        _time.Advance(TimeSpan.FromHours(1));

        var move = sut.ApplyCrmFeedback(Disqualify(), Now, _policy);

        Assert.Equal(new FeedbackMove { From = LeadStatus.Mql }, move);
        Assert.Equal(LeadStatus.Disqualified, sut.Status);
        Assert.False(sut.Handoff.Pending);
        Assert.False(sut.Handoff.EnqueueFailed);
        Assert.Equal(new LeadSnapshot { At = Now, Campaign = "spring", Score = 80, ModelVersion = "v1" }, sut.Disqualification);
        Assert.Equal("crm:rep-9", sut.History[^1].Actor);
    }

    [Fact]
    public void ApplyCrmFeedback_SameDisqualificationTwice_AlreadyAppliedAndChangesNothing()
    {
        var sut = Mql();
        sut.ApplyCrmFeedback(Disqualify(), Now, _policy);
        var before = sut.ToMemento();

        var move = sut.ApplyCrmFeedback(Disqualify(), Now.AddMinutes(1), _policy);

        Assert.True(move.AlreadyApplied);
        Assert.Null(move.Refusal);
        AssertSame(before, sut);
    }

    [Fact]
    public void ApplyCrmFeedback_MoveTheContractRefuses_ReturnsTheRefusalAndChangesNothing()
    {
        var sut = Mql();
        var before = sut.ToMemento();

        var move = sut.ApplyCrmFeedback(new CrmFeedback { LeadId = LeadId, Status = LeadStatus.ClosedWon }, Now, _policy);

        Assert.Equal(RefusalKind.ForbiddenMove, move.Refusal!.Kind);
        AssertSame(before, sut);
        Assert.True(sut.Handoff.Pending);
    }

    [Fact]
    public void ToHandoffMessage_LeadNeverMql_Throws()
    {
        var sut = Lead.Create(LeadId, Now);

        Assert.Throws<InvalidOperationException>(sut.ToHandoffMessage);
    }

    [Fact]
    public void Restore_FromItsMemento_GivesTheSameLead()
    {
        var sut = Mql();
        sut.RecordHandoffFailure("CRM down", Now);
        sut.MarkStored("etag-1");

        var restored = Lead.Restore(sut.ToMemento());

        AssertSame(sut.ToMemento(), restored);
        Assert.Equal("etag-1", restored.ETag);
    }

    private static void AssertSame(LeadMemento expected, Lead actual)
    {
        var memento = actual.ToMemento();
        Assert.Equal(expected with { History = [], Explanation = [], RecentDeliveries = [] }, memento with { History = [], Explanation = [], RecentDeliveries = [] });
        Assert.Equal(expected.History, memento.History);
        Assert.Equal(expected.Explanation, memento.Explanation);
        Assert.Equal(expected.RecentDeliveries, memento.RecentDeliveries);
    }

    private Lead Mql()
    {
        var lead = Lead.Create(LeadId, Now);
        Assert.NotNull(lead.Submit(Submission("h1", campaign: "spring"), "d1", Qualifying(), Now, _policy).Handoff);
        return lead;
    }

    private static CrmFeedback Disqualify() => new() { LeadId = LeadId, Status = LeadStatus.Disqualified, ReasonCode = "NO_BUDGET", Rep = "rep-9" };

    private static LeadSubmission Submission(string hash, string? campaign = null) => new()
    {
        LeadId = LeadId,
        Campaign = campaign,
        ContentHash = hash,
        Profile = new LeadProfile { Email = "ann@example.com", Phone = "+1 555 0100", Industry = "SaaS", CompanySize = 250 },
    };

    private static ScoreResult Qualifying() => Score(80);

    private static ScoreResult Score(int points) => new()
    {
        Score = points,
        Threshold = 70,
        IsMql = points > 70,
        Explanation = [new ScoreLine { RuleId = "pricing", Description = "Viewed the pricing page", Points = 30 }],
        MissingForMql = [],
        ModelVersion = "v1",
    };
}
