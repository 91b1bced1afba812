using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Leads;
using Xunit;
using static Smarketing.Tests.Lifecycle.LifecycleContract;

namespace Smarketing.Tests.Lifecycle;

public sealed class LeadLifecycleTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 3, 9, 30, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _timeProvider = new(Start);
    private readonly LifecycleOptions _options = LifecycleOptions.CreateDefault();

    public static TheoryData<LeadStatus, LeadStatus> ForbiddenMoves()
    {
        var data = new TheoryData<LeadStatus, LeadStatus>();
        foreach (var from in Statuses)
        {
            foreach (var to in Statuses.Where(to => !IsAllowed(from, to)))
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Fact]
    public void AllowedMoves_Always_AreExactlyTheTenMovesOfTheContract()
    {
        Assert.Equal(10, AllowedMoves.Distinct().Count());
        Assert.True(LifecyclePolicy.AllowedMoves.ToHashSet().SetEquals(AllowedMoves));
        Assert.Equal(39, ForbiddenMoves().Count);
        foreach (var from in Statuses)
        {
            foreach (var to in Statuses)
            {
                Assert.Equal(IsAllowed(from, to), LifecyclePolicy.IsAllowedMove(from, to));
            }
        }
    }

    [Fact]
    public void TryApply_NewToMqlWithScoreAboveThresholdAndDemographics_MovesAndRecordsScore()
    {
        var sut = CreateSut(LeadStatus.New);

        var entry = AssertAccepted(sut, LeadStatus.New, CompleteRequest(LeadStatus.Mql, "system:ScoreLead"));

        Assert.Equal("system:ScoreLead", entry.Actor);
        Assert.Equal(80, entry.Score);
        Assert.Equal(ModelVersion, entry.ModelVersion);
        Assert.Equal("scored 80 > 70", entry.Note);
        Assert.Null(entry.ReasonCode);
        Assert.Null(entry.OwnerId);
        Assert.Null(entry.CrmRecordId);
        Assert.Equal(0, entry.RecycleCount);
    }

    [Fact]
    public void TryApply_NewToMqlWithNullMissingDemographics_Moves()
    {
        var sut = CreateSut(LeadStatus.New);

        AssertAccepted(sut, LeadStatus.New, CompleteRequest(LeadStatus.Mql) with { MissingDemographics = null });
    }

    [Fact]
    public void TryApply_NewToDisqualifiedWithConfiguredReason_MovesAndRecordsReason()
    {
        var sut = CreateSut(LeadStatus.New);
        var request = CompleteRequest(LeadStatus.Disqualified, "crm:005-rep-42") with { ReasonCode = "BAD_DATA", Score = 0, ModelVersion = ModelVersion };

        var entry = AssertAccepted(sut, LeadStatus.New, request);

        Assert.Equal("crm:005-rep-42", entry.Actor);
        Assert.Equal("BAD_DATA", entry.ReasonCode);
        Assert.Equal(0, entry.Score);
        Assert.Equal(ModelVersion, entry.ModelVersion);
    }

    [Fact]
    public void TryApply_MqlToDisqualifiedWithConfiguredReason_MovesAndRecordsReason()
    {
        var sut = CreateSut(LeadStatus.Mql);

        var entry = AssertAccepted(sut, LeadStatus.Mql, CompleteRequest(LeadStatus.Disqualified) with { ReasonCode = "UNRESPONSIVE" });

        Assert.Equal("UNRESPONSIVE", entry.ReasonCode);
    }

    [Fact]
    public void TryApply_SalToDisqualifiedWithConfiguredReason_MovesAndRecordsReason()
    {
        var sut = CreateSut(LeadStatus.Sal);

        var entry = AssertAccepted(sut, LeadStatus.Sal, CompleteRequest(LeadStatus.Disqualified) with { ReasonCode = "COMPETITOR", Note = "works at a rival" });

        Assert.Equal("COMPETITOR", entry.ReasonCode);
        Assert.Equal("works at a rival", entry.Note);
    }

    [Fact]
    public void TryApply_MqlToSalWithCrmRecordAndOwner_MovesAndRecordsOwnerAndRecord()
    {
        var sut = CreateSut(LeadStatus.Mql);
        var request = CompleteRequest(LeadStatus.Sal, "system:HandOffMql") with { Score = 80, ModelVersion = ModelVersion };

        var entry = AssertAccepted(sut, LeadStatus.Mql, request);

        Assert.Equal("system:HandOffMql", entry.Actor);
        Assert.Equal(OwnerId, entry.OwnerId);
        Assert.Equal(CrmRecordId, entry.CrmRecordId);
        Assert.Equal(80, entry.Score);
        Assert.Equal(ModelVersion, entry.ModelVersion);
    }

    [Fact]
    public void TryApply_SalToSqlWithBudgetAndTimeline_Moves()
    {
        var sut = CreateSut(LeadStatus.Sal);

        var entry = AssertAccepted(sut, LeadStatus.Sal, CompleteRequest(LeadStatus.Sql, "crm:005-rep-42"));

        Assert.Equal("crm:005-rep-42", entry.Actor);
        Assert.Null(entry.ReasonCode);
    }

    [Fact]
    public void TryApply_SqlToClosedWon_Moves()
    {
        var sut = CreateSut(LeadStatus.Sql);

        var entry = AssertAccepted(sut, LeadStatus.Sql, CompleteRequest(LeadStatus.ClosedWon) with { Note = "signed" });

        Assert.Equal("signed", entry.Note);
    }

    [Fact]
    public void TryApply_SqlToClosedLostWithConfiguredReason_MovesAndRecordsReason()
    {
        var sut = CreateSut(LeadStatus.Sql);

        var entry = AssertAccepted(sut, LeadStatus.Sql, CompleteRequest(LeadStatus.ClosedLost) with { ReasonCode = "LOST_TO_COMPETITOR" });

        Assert.Equal("LOST_TO_COMPETITOR", entry.ReasonCode);
    }

    [Fact]
    public void TryApply_DisqualifiedToNewAfterCooldown_RecyclesAndCounts()
    {
        var sut = CreateSut(LeadStatus.Disqualified);
        _timeProvider.Advance(_options.RecycleCooldown);

        var entry = AssertAccepted(sut, LeadStatus.Disqualified, CompleteRequest(LeadStatus.New, "system:Nurture"));

        Assert.Equal("system:Nurture", entry.Actor);
        Assert.Equal(1, entry.RecycleCount);
        Assert.Equal(1, sut.RecycleCount);
    }

    [Fact]
    public void TryApply_ClosedLostToNewAfterCooldown_RecyclesAndCounts()
    {
        var sut = CreateSut(LeadStatus.ClosedLost);
        _timeProvider.Advance(_options.RecycleCooldown + TimeSpan.FromDays(1));

        var entry = AssertAccepted(sut, LeadStatus.ClosedLost, CompleteRequest(LeadStatus.New));

        Assert.Equal(1, entry.RecycleCount);
        Assert.Equal(1, sut.RecycleCount);
    }

    [Theory]
    [InlineData(false, 80)]
    [InlineData(false, 70)]
    [InlineData(true, null)]
    public void TryApply_NewToMqlWithoutScoreAboveThreshold_RefusesNamingTheScore(bool aboveThreshold, int? score)
    {
        var sut = CreateSut(LeadStatus.New);
        var request = CompleteRequest(LeadStatus.Mql) with { ScoreAboveThreshold = aboveThreshold, Score = score };

        var refusal = AssertCriterionNotMet(sut, request, LeadStatus.New);

        Assert.Equal("a score strictly above the MQL threshold", refusal.MissingCriterion);
    }

    [Fact]
    public void TryApply_NewToMqlWithMissingDemographics_RefusesNamingEachField()
    {
        var sut = CreateSut(LeadStatus.New);
        var request = CompleteRequest(LeadStatus.Mql) with { MissingDemographics = ["companySize", "industry"] };

        var refusal = AssertCriterionNotMet(sut, request, LeadStatus.New);

        Assert.Contains("companySize", refusal.MissingCriterion, StringComparison.Ordinal);
        Assert.Contains("industry", refusal.MissingCriterion, StringComparison.Ordinal);
        Assert.DoesNotContain("score", refusal.MissingCriterion, StringComparison.Ordinal);
    }

    [Fact]
    public void TryApply_NewToMqlWithLowScoreAndMissingDemographics_RefusesNamingBoth()
    {
        var sut = CreateSut(LeadStatus.New);
        var request = CompleteRequest(LeadStatus.Mql) with { ScoreAboveThreshold = false, Score = 40, MissingDemographics = ["industry"] };

        var refusal = AssertCriterionNotMet(sut, request, LeadStatus.New);

        Assert.Contains("score strictly above the MQL threshold", refusal.MissingCriterion, StringComparison.Ordinal);
        Assert.Contains("industry", refusal.MissingCriterion, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LeadStatus.New)]
    [InlineData(LeadStatus.Mql)]
    [InlineData(LeadStatus.Sal)]
    public void TryApply_ToDisqualifiedWithoutReason_RefusesListingTheConfiguredCodes(LeadStatus from)
    {
        var sut = CreateSut(from);
        var request = CompleteRequest(LeadStatus.Disqualified) with { ReasonCode = null };

        var refusal = AssertCriterionNotMet(sut, request, from);

        Assert.Contains("reason code", refusal.MissingCriterion, StringComparison.Ordinal);
        AssertListsExactly(refusal, _options.DisqualificationReasons);
    }

    [Theory]
    [InlineData(LeadStatus.New, "NOT_INTERESTED")]
    [InlineData(LeadStatus.Mql, "no_budget")]
    [InlineData(LeadStatus.Sal, "PRICE")]
    [InlineData(LeadStatus.Sal, "")]
    public void TryApply_ToDisqualifiedWithUnknownReason_RefusesNamingTheCodeAndListingTheConfiguredCodes(LeadStatus from, string code)
    {
        var sut = CreateSut(from);
        var request = CompleteRequest(LeadStatus.Disqualified) with { ReasonCode = code };

        var refusal = AssertCriterionNotMet(sut, request, from);

        Assert.Contains($"'{code}'", refusal.MissingCriterion, StringComparison.Ordinal);
        AssertListsExactly(refusal, _options.DisqualificationReasons);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("BAD_DATA")]
    [InlineData("Price")]
    public void TryApply_SqlToClosedLostWithoutConfiguredReason_RefusesListingTheClosedLostCodes(string? code)
    {
        var sut = CreateSut(LeadStatus.Sql);
        var request = CompleteRequest(LeadStatus.ClosedLost) with { ReasonCode = code };

        var refusal = AssertCriterionNotMet(sut, request, LeadStatus.Sql);

        Assert.Contains("reason code", refusal.MissingCriterion, StringComparison.Ordinal);
        AssertListsExactly(refusal, _options.ClosedLostReasons);
    }

    [Fact]
    public void TryApply_ToDisqualifiedWithCustomReasonList_AcceptsOnlyTheConfiguredCodes()
    {
        var options = new LifecycleOptions { DisqualificationReasons = [new() { Code = "STUDENT" }] };
        var policy = new LifecyclePolicy(options, _timeProvider);
        var sut = CreateSut(LeadStatus.New);

        var refusal = sut.TryApply(CompleteRequest(LeadStatus.Disqualified), policy, out _);
        Assert.NotNull(refusal);
        Assert.Contains("STUDENT", refusal.MissingCriterion, StringComparison.Ordinal);

        Assert.Null(sut.TryApply(CompleteRequest(LeadStatus.Disqualified) with { ReasonCode = "STUDENT" }, policy, out _));
        Assert.Equal(LeadStatus.Disqualified, sut.Status);
    }

    [Theory]
    [InlineData(null, OwnerId, "a CRM record upserted by the handoff")]
    [InlineData(" ", OwnerId, "a CRM record upserted by the handoff")]
    [InlineData(CrmRecordId, null, "an owner assigned in the CRM")]
    [InlineData(CrmRecordId, "", "an owner assigned in the CRM")]
    [InlineData(null, null, "a CRM record upserted by the handoff and an owner assigned in the CRM")]
    public void TryApply_MqlToSalWithoutHandoffEvidence_RefusesNamingWhatIsMissing(string? crmRecordId, string? ownerId, string criterion)
    {
        var sut = CreateSut(LeadStatus.Mql);
        var request = CompleteRequest(LeadStatus.Sal) with { CrmRecordId = crmRecordId, OwnerId = ownerId };

        var refusal = AssertCriterionNotMet(sut, request, LeadStatus.Mql);

        Assert.Equal(criterion, refusal.MissingCriterion);
    }

    [Theory]
    [InlineData(false, true, "sales' confirmation of the budget")]
    [InlineData(true, false, "sales' confirmation of the timeline")]
    [InlineData(false, false, "sales' confirmation of the budget and sales' confirmation of the timeline")]
    public void TryApply_SalToSqlWithoutBudgetOrTimeline_RefusesNamingWhatIsMissing(bool budget, bool timeline, string criterion)
    {
        var sut = CreateSut(LeadStatus.Sal);
        var request = CompleteRequest(LeadStatus.Sql) with { BudgetConfirmed = budget, TimelineConfirmed = timeline };

        var refusal = AssertCriterionNotMet(sut, request, LeadStatus.Sal);

        Assert.Equal(criterion, refusal.MissingCriterion);
    }

    [Theory]
    [MemberData(nameof(ForbiddenMoves))]
    public void TryApply_MoveOutsideTheContract_RefusesAsForbiddenMove(LeadStatus from, LeadStatus to)
    {
        // Long enough at rest that a cool-down could never be the reason, and every criterion's evidence present.
        var sut = CreateSut(from, Start - TimeSpan.FromDays(3650));
        var before = Snapshot(sut);

        var refusal = sut.TryApply(EverythingRequest(to), CreatePolicy(), out var entry);

        Assert.NotNull(refusal);
        Assert.Null(entry);
        Assert.Equal(RefusalKind.ForbiddenMove, refusal.Kind);
        Assert.Equal(from, refusal.From);
        Assert.Equal(to, refusal.To);
        Assert.StartsWith($"{from.ToWire()} → {to.ToWire()} ", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(refusal.MissingCriterion, refusal.Message, StringComparison.Ordinal);
        AssertUnchanged(before, sut);
    }

    [Fact]
    public void TryApply_TargetThatIsNoStatus_RefusesAsForbiddenMoveWithAReadableMessage()
    {
        var sut = CreateSut(LeadStatus.New);
        var before = Snapshot(sut);

        var refusal = sut.TryApply(CompleteRequest((LeadStatus)42), CreatePolicy(), out var entry);

        Assert.NotNull(refusal);
        Assert.Null(entry);
        Assert.Equal(RefusalKind.ForbiddenMove, refusal.Kind);
        Assert.StartsWith("NEW → undefined status 42 is not a move of the lifecycle contract;", refusal.Message, StringComparison.Ordinal);
        AssertUnchanged(before, sut);
    }

    [Theory]
    [InlineData(LeadStatus.Disqualified)]
    [InlineData(LeadStatus.ClosedLost)]
    public void TryApply_RecycleBeforeCooldown_RefusesNamingTheCooldown(LeadStatus from)
    {
        var sut = CreateSut(from);
        _timeProvider.Advance(_options.RecycleCooldown - TimeSpan.FromTicks(1));

        var refusal = AssertCriterionNotMet(sut, CompleteRequest(LeadStatus.New), from);

        Assert.Contains("cool-down", refusal.MissingCriterion, StringComparison.Ordinal);
        Assert.Contains((Start + _options.RecycleCooldown).ToString("O", System.Globalization.CultureInfo.InvariantCulture), refusal.MissingCriterion, StringComparison.Ordinal);
        Assert.Equal(0, sut.RecycleCount);
    }

    [Theory]
    [InlineData(LeadStatus.Disqualified)]
    [InlineData(LeadStatus.ClosedLost)]
    public void TryApply_RecycleExactlyWhenCooldownEnds_Recycles(LeadStatus from)
    {
        var sut = CreateSut(from);
        _timeProvider.Advance(_options.RecycleCooldown);

        Assert.Null(sut.TryApply(CompleteRequest(LeadStatus.New), CreatePolicy(), out var entry));

        Assert.Equal(LeadStatus.New, sut.Status);
        Assert.Equal(Start + _options.RecycleCooldown, entry!.At);
        Assert.Equal(1, sut.RecycleCount);
    }

    [Fact]
    public void TryApply_RecycleSoonAfterDisqualificationOfAnOldLead_CountsTheCooldownFromTheDisqualification()
    {
        var sut = LeadLifecycle.Create(Start);
        _timeProvider.Advance(TimeSpan.FromDays(365));
        sut.Apply(CompleteRequest(LeadStatus.Disqualified), CreatePolicy());
        _timeProvider.Advance(TimeSpan.FromDays(1));

        var refusal = sut.TryApply(CompleteRequest(LeadStatus.New), CreatePolicy(), out _);

        Assert.NotNull(refusal);
        Assert.Equal(RefusalKind.CriterionNotMet, refusal.Kind);
        Assert.Equal(LeadStatus.Disqualified, sut.Status);
    }

    [Fact]
    public void TryApply_RecycleWithConfiguredCooldown_UsesTheConfiguredCooldown()
    {
        _options.RecycleCooldown = TimeSpan.FromDays(7);
        var sut = CreateSut(LeadStatus.Disqualified);
        _timeProvider.Advance(TimeSpan.FromDays(6));
        Assert.NotNull(sut.TryApply(CompleteRequest(LeadStatus.New), CreatePolicy(), out _));

        _timeProvider.Advance(TimeSpan.FromDays(1));

        Assert.Null(sut.TryApply(CompleteRequest(LeadStatus.New), CreatePolicy(), out _));
        Assert.Equal(LeadStatus.New, sut.Status);
    }

    [Fact]
    public void TryApply_RecycleWithCooldownBeyondTheCalendar_RefusesSayingItNeverEnds()
    {
        _options.RecycleCooldown = TimeSpan.MaxValue;
        var sut = CreateSut(LeadStatus.ClosedLost);
        _timeProvider.Advance(TimeSpan.FromDays(365 * 50));

        var refusal = AssertCriterionNotMet(sut, CompleteRequest(LeadStatus.New), LeadStatus.ClosedLost);

        Assert.Contains("cool-down", refusal.MissingCriterion, StringComparison.Ordinal);
        Assert.Contains("never ends", refusal.MissingCriterion, StringComparison.Ordinal);
    }

    [Fact]
    public void TryApply_RecycledTwice_CountsTwoAndEachEntryCarriesItsCount()
    {
        var policy = CreatePolicy();
        var sut = LeadLifecycle.Create(Start);

        sut.Apply(CompleteRequest(LeadStatus.Disqualified), policy);
        _timeProvider.Advance(_options.RecycleCooldown);
        sut.Apply(CompleteRequest(LeadStatus.New), policy);
        Assert.Equal(1, sut.RecycleCount);

        sut.Apply(CompleteRequest(LeadStatus.Mql), policy);
        sut.Apply(CompleteRequest(LeadStatus.Sal), policy);
        sut.Apply(CompleteRequest(LeadStatus.Sql), policy);
        sut.Apply(CompleteRequest(LeadStatus.ClosedLost), policy);
        _timeProvider.Advance(_options.RecycleCooldown);
        sut.Apply(CompleteRequest(LeadStatus.New), policy);

        Assert.Equal(LeadStatus.New, sut.Status);
        Assert.Equal(2, sut.RecycleCount);
        Assert.Equal([0, 1, 1, 1, 1, 1, 2], sut.History.Select(e => e.RecycleCount));
        Assert.Equal(
            [LeadStatus.Disqualified, LeadStatus.New, LeadStatus.Mql, LeadStatus.Sal, LeadStatus.Sql, LeadStatus.ClosedLost, LeadStatus.New],
            sut.History.Select(e => e.To));
    }

    [Fact]
    public void Apply_AllowedMove_ReturnsTheAppendedEntry()
    {
        var sut = CreateSut(LeadStatus.New);

        var entry = sut.Apply(CompleteRequest(LeadStatus.Mql), CreatePolicy());

        Assert.Same(sut.History[^1], entry);
        Assert.Equal(LeadStatus.Mql, sut.Status);
    }

    [Fact]
    public void Apply_CriterionNotMet_ThrowsCarryingTheRefusalAndChangesNothing()
    {
        var sut = CreateSut(LeadStatus.Mql);
        var before = Snapshot(sut);
        var request = CompleteRequest(LeadStatus.Sal) with { OwnerId = null };

        var ex = Assert.Throws<LifecycleTransitionException>(() => sut.Apply(request, CreatePolicy()));

        Assert.Equal(LeadStatus.Mql, ex.Refusal.From);
        Assert.Equal(LeadStatus.Sal, ex.Refusal.To);
        Assert.Equal(RefusalKind.CriterionNotMet, ex.Refusal.Kind);
        Assert.Equal("an owner assigned in the CRM", ex.Refusal.MissingCriterion);
        Assert.Equal(ex.Refusal.Message, ex.Message);
        Assert.Equal("MQL → SAL refused: missing an owner assigned in the CRM.", ex.Message);
        AssertUnchanged(before, sut);
    }

    [Fact]
    public void Apply_ForbiddenMove_ThrowsCarryingTheRefusalAndChangesNothing()
    {
        var sut = CreateSut(LeadStatus.New);
        var before = Snapshot(sut);

        var ex = Assert.Throws<LifecycleTransitionException>(() => sut.Apply(EverythingRequest(LeadStatus.ClosedWon), CreatePolicy()));

        Assert.Equal(RefusalKind.ForbiddenMove, ex.Refusal.Kind);
        Assert.Equal(LeadStatus.New, ex.Refusal.From);
        Assert.Equal(LeadStatus.ClosedWon, ex.Refusal.To);
        Assert.Equal("NEW → CLOSED_WON is not a move of the lifecycle contract; from NEW the contract allows only DISQUALIFIED, MQL.", ex.Message);
        Assert.IsAssignableFrom<InvalidOperationException>(ex);
        AssertUnchanged(before, sut);
    }

    [Theory]
    [InlineData(LeadStatus.ClosedWon, LeadStatus.New, "CLOSED_WON → NEW is not a move of the lifecycle contract; from CLOSED_WON the contract allows no move.")]
    [InlineData(LeadStatus.Sql, LeadStatus.Disqualified, "SQL → DISQUALIFIED is not a move of the lifecycle contract; from SQL the contract allows only CLOSED_LOST, CLOSED_WON.")]
    [InlineData(LeadStatus.Disqualified, LeadStatus.Disqualified, "DISQUALIFIED → DISQUALIFIED is not a move of the lifecycle contract; from DISQUALIFIED the contract allows only NEW.")]
    public void TryApply_ForbiddenMove_MessageNamesTheMovesThatExist(LeadStatus from, LeadStatus to, string message)
    {
        var sut = CreateSut(from);

        var refusal = sut.TryApply(EverythingRequest(to), CreatePolicy(), out _);

        Assert.Equal(message, refusal?.Message);
    }

    [Theory]
    [InlineData(null, "MQL → DISQUALIFIED refused: missing a reason code (and none is configured).")]
    [InlineData("NO_BUDGET", "MQL → DISQUALIFIED refused: missing a reason code from the configured list ('NO_BUDGET' is not in it: the list is empty).")]
    public void TryApply_ToDisqualifiedWithNoReasonConfigured_RefusesSayingTheListIsEmpty(string? code, string message)
    {
        var policy = new LifecyclePolicy(new LifecycleOptions(), _timeProvider);
        var sut = CreateSut(LeadStatus.Mql);

        var refusal = sut.TryApply(CompleteRequest(LeadStatus.Disqualified) with { ReasonCode = code }, policy, out _);

        Assert.Equal(message, refusal?.Message);
    }

    [Fact]
    public void Create_Always_StartsNewWithEmptyHistory()
    {
        var sut = LeadLifecycle.Create(Start);

        Assert.Equal(LeadStatus.New, sut.Status);
        Assert.Equal(Start, sut.StatusSince);
        Assert.Equal(0, sut.RecycleCount);
        Assert.Empty(sut.History);
    }

    [Fact]
    public void History_CastBackToAList_CannotBeChanged()
    {
        var sut = LeadLifecycle.Create(Start);
        sut.Apply(CompleteRequest(LeadStatus.Mql), CreatePolicy());

        Assert.False(sut.History is List<LifecycleEntry>);
        Assert.Throws<NotSupportedException>(() => ((IList<LifecycleEntry>)sut.History).Clear());
        Assert.Single(sut.History);
    }

    [Fact]
    public void Restore_StateOfALeadWithHistory_GivesTheSameState()
    {
        var original = WalkThroughEveryKindOfMove();

        var sut = LeadLifecycle.Restore(original.Status, original.StatusSince, original.RecycleCount, original.History);

        Assert.Equal(original.Status, sut.Status);
        Assert.Equal(original.StatusSince, sut.StatusSince);
        Assert.Equal(original.RecycleCount, sut.RecycleCount);
        Assert.Equal(original.History, sut.History);
    }

    [Fact]
    public void Restore_StateRoundTrippedThroughJson_GivesTheSameState()
    {
        var original = WalkThroughEveryKindOfMove();
        var json = System.Text.Json.JsonSerializer.Serialize(original.History);

        var history = System.Text.Json.JsonSerializer.Deserialize<List<LifecycleEntry>>(json)!;
        var sut = LeadLifecycle.Restore(original.Status, original.StatusSince, original.RecycleCount, history);

        Assert.Contains("\"To\":\"CLOSED_LOST\"", json, StringComparison.Ordinal);
        Assert.Equal(original.History, sut.History);
        Assert.Equal(original.Status, sut.Status);
        Assert.Equal(original.StatusSince, sut.StatusSince);
        Assert.Equal(original.RecycleCount, sut.RecycleCount);
    }

    [Fact]
    public void Restore_ThenMove_BehavesAsTheOriginalAndOwnsItsHistory()
    {
        var original = WalkThroughEveryKindOfMove(closeTheDeal: false);
        var stored = original.History.ToList();
        var sut = LeadLifecycle.Restore(original.Status, original.StatusSince, original.RecycleCount, stored);
        _timeProvider.Advance(TimeSpan.FromHours(1));

        var fromOriginal = original.Apply(CompleteRequest(LeadStatus.ClosedWon), CreatePolicy());
        var fromRestored = sut.Apply(CompleteRequest(LeadStatus.ClosedWon), CreatePolicy());

        Assert.Equal(fromOriginal, fromRestored);
        Assert.Equal(original.History, sut.History);
        Assert.Equal(original.History.Count - 1, stored.Count);
    }

    private LifecyclePolicy CreatePolicy() => new(_options, _timeProvider);

    private LeadLifecycle CreateSut(LeadStatus status, DateTimeOffset? since = null) =>
        LeadLifecycle.Restore(status, since ?? _timeProvider.GetUtcNow(), 0, []);

    /// <summary>A lead that went through every move of the contract, recycled twice, and ends CLOSED_WON (or SQL).</summary>
    private LeadLifecycle WalkThroughEveryKindOfMove(bool closeTheDeal = true)
    {
        var policy = CreatePolicy();
        var lead = LeadLifecycle.Create(Start);
        foreach (var to in new[] { LeadStatus.Disqualified, LeadStatus.New, LeadStatus.Mql, LeadStatus.Disqualified, LeadStatus.New, LeadStatus.Mql, LeadStatus.Sal, LeadStatus.Disqualified })
        {
            _timeProvider.Advance(to == LeadStatus.New ? _options.RecycleCooldown : TimeSpan.FromHours(3));
            lead.Apply(CompleteRequest(to), policy);
        }

        _timeProvider.Advance(_options.RecycleCooldown);
        lead.Apply(CompleteRequest(LeadStatus.New), policy);
        foreach (var to in new[] { LeadStatus.Mql, LeadStatus.Sal, LeadStatus.Sql, LeadStatus.ClosedLost })
        {
            _timeProvider.Advance(TimeSpan.FromMinutes(17));
            lead.Apply(CompleteRequest(to), policy);
        }

        _timeProvider.Advance(_options.RecycleCooldown);
        lead.Apply(CompleteRequest(LeadStatus.New), policy);
        LeadStatus[] toTheDeal = closeTheDeal
            ? [LeadStatus.Mql, LeadStatus.Sal, LeadStatus.Sql, LeadStatus.ClosedWon]
            : [LeadStatus.Mql, LeadStatus.Sal, LeadStatus.Sql];
        foreach (var to in toTheDeal)
        {
            _timeProvider.Advance(TimeSpan.FromDays(2));
            lead.Apply(CompleteRequest(to), policy);
        }

        return lead;
    }

    private LifecycleEntry AssertAccepted(LeadLifecycle sut, LeadStatus from, TransitionRequest request)
    {
        var historyBefore = sut.History.ToList();
        _timeProvider.Advance(TimeSpan.FromMinutes(5));
        var now = _timeProvider.GetUtcNow();

        var refusal = sut.TryApply(request, CreatePolicy(), out var entry);

        Assert.Null(refusal);
        Assert.NotNull(entry);
        Assert.Equal(request.To, sut.Status);
        Assert.Equal(now, sut.StatusSince);
        Assert.Equal(historyBefore.Count + 1, sut.History.Count);
        Assert.Equal(historyBefore, sut.History.Take(historyBefore.Count));
        Assert.Same(entry, sut.History[^1]);
        Assert.Equal(from, entry.From);
        Assert.Equal(request.To, entry.To);
        Assert.Equal(now, entry.At);
        Assert.Equal(request.Actor, entry.Actor);
        Assert.Equal(request.ReasonCode, entry.ReasonCode);
        Assert.Equal(request.Note, entry.Note);
        Assert.Equal(request.Score, entry.Score);
        Assert.Equal(request.ModelVersion, entry.ModelVersion);
        Assert.Equal(sut.RecycleCount, entry.RecycleCount);
        return entry;
    }

    private TransitionRefusal AssertCriterionNotMet(LeadLifecycle sut, TransitionRequest request, LeadStatus from)
    {
        var before = Snapshot(sut);

        var refusal = sut.TryApply(request, CreatePolicy(), out var entry);

        Assert.NotNull(refusal);
        Assert.Null(entry);
        Assert.Equal(RefusalKind.CriterionNotMet, refusal.Kind);
        Assert.Equal(from, refusal.From);
        Assert.Equal(request.To, refusal.To);
        Assert.False(string.IsNullOrWhiteSpace(refusal.MissingCriterion));
        Assert.Equal($"{from.ToWire()} → {request.To.ToWire()} refused: missing {refusal.MissingCriterion}.", refusal.Message);
        AssertUnchanged(before, sut);
        return refusal;
    }

    private static void AssertListsExactly(TransitionRefusal refusal, IEnumerable<ReasonCode> allowed)
    {
        var codes = string.Join(", ", allowed.Select(r => r.Code).Order(StringComparer.Ordinal));
        Assert.EndsWith($"one of {codes}).", refusal.Message, StringComparison.Ordinal);
    }

    private static (LeadStatus Status, DateTimeOffset Since, int RecycleCount, LifecycleEntry[] History) Snapshot(LeadLifecycle lead) =>
        (lead.Status, lead.StatusSince, lead.RecycleCount, [.. lead.History]);

    private static void AssertUnchanged((LeadStatus Status, DateTimeOffset Since, int RecycleCount, LifecycleEntry[] History) before, LeadLifecycle lead)
    {
        Assert.Equal(before.Status, lead.Status);
        Assert.Equal(before.Since, lead.StatusSince);
        Assert.Equal(before.RecycleCount, lead.RecycleCount);
        Assert.Equal(before.History, lead.History);
    }
}

/// <summary>The lifecycle's moves as the tests drive them: applied, or a refusal thrown naming from, to and the missing criterion.</summary>
internal static class LeadLifecycleTesting
{
    public static LifecycleEntry Apply(this LeadLifecycle lifecycle, TransitionRequest request, LifecyclePolicy policy)
    {
        var refusal = lifecycle.TryApply(request, policy, out var entry);
        return refusal is null ? entry! : throw new LifecycleTransitionException(refusal);
    }
}
