using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Leads;
using Xunit;
using static Smarketing.Tests.Lifecycle.LifecycleContract;

namespace Smarketing.Tests.Lifecycle;

public sealed class LeadLifecyclePropertyTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 6, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] DemographicFields = ["industry", "companySize", "country"];

    private static readonly LifecycleOptions Options = LifecycleOptions.CreateDefault();
    private static readonly HashSet<string> DisqualificationCodes = [.. Options.DisqualificationReasons.Select(r => r.Code)];
    private static readonly HashSet<string> ClosedLostCodes = [.. Options.ClosedLostReasons.Select(r => r.Code)];

    private static readonly Gen<bool> MostlyTrue = Gen.Int[0, 3].Select(i => i > 0);

    // Valid codes of both lists (so each list also meets the other's codes), plus near misses.
    private static readonly Gen<string?> ReasonCodes = Gen.OneOfConst<string?>(
        [.. DisqualificationCodes.Union(ClosedLostCodes).Order(StringComparer.Ordinal), null, "", "BOGUS", "no_budget", "Price"]);

    // Mostly short waits; sometimes about the recycle cool-down, on either side of it, or exactly it.
    private static readonly Gen<TimeSpan> ClockAdvances = Gen.Frequency(
        (3, Gen.Const(TimeSpan.Zero)),
        (4, Gen.Int[1, 3 * 24 * 60].Select(m => TimeSpan.FromMinutes(m))),
        (2, Gen.Int[85, 95].Select(d => TimeSpan.FromDays(d))),
        (1, Gen.Const(Options.RecycleCooldown)));

    private static readonly Gen<Step> Steps =
        from pickAllowed in MostlyTrue
        from target in Gen.Int[0, 6]
        from advance in ClockAdvances
        from score in Gen.Frequency((1, Gen.Const((int?)null)), (4, Gen.Int[0, 100].Select(s => (int?)s)))
        from aboveThreshold in MostlyTrue
        from missingDemographics in Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, DemographicFields.Length]))
        from crmRecord in MostlyTrue
        from owner in MostlyTrue
        from budget in MostlyTrue
        from timeline in MostlyTrue
        from reason in ReasonCodes
        select new Step(pickAllowed, target, advance, score, aboveThreshold, missingDemographics, crmRecord, owner, budget, timeline, reason);

    [Fact]
    public void TryApply_RandomSequencesOfRequests_KeepTheContractInvariants()
    {
        var accepted = new int[AllowedMoves.Length];
        var refused = new int[2];

        Steps.Array[0, 30].Sample(
            steps => Run(steps, accepted, refused),
            iter: 2_000,
            print: steps => string.Join(Environment.NewLine, steps.Select(s => s.ToString())));

        // The generator is only useful if it drives leads through the whole contract, recycling included.
        for (var i = 0; i < AllowedMoves.Length; i++)
        {
            Assert.True(accepted[i] > 0, $"{AllowedMoves[i]} was never accepted");
        }

        Assert.True(refused[(int)RefusalKind.ForbiddenMove] > 0);
        Assert.True(refused[(int)RefusalKind.CriterionNotMet] > 0);
    }

    private static void Run(Step[] steps, int[] accepted, int[] refused)
    {
        var timeProvider = new FakeTimeProvider(Start);
        var policy = new LifecyclePolicy(Options, timeProvider);
        var lead = LeadLifecycle.Create(Start);

        foreach (var step in steps)
        {
            timeProvider.Advance(step.Advance);
            var from = lead.Status;
            var since = lead.StatusSince;
            var before = lead.History.ToList();
            var request = step.ToRequest(from);

            var refusal = lead.TryApply(request, policy, out var entry);

            if (refusal is null)
            {
                Assert.True(ContractAccepts(from, since, request, timeProvider.GetUtcNow()), $"{from} → {request.To} accepted against the contract");
                Assert.NotNull(entry);
                Assert.Equal(before.Count + 1, lead.History.Count);
                Assert.Same(entry, lead.History[^1]);
                Assert.Equal(timeProvider.GetUtcNow(), entry.At);
                Assert.Equal(request.Actor, entry.Actor);
                Assert.Equal(request.Score, entry.Score);
                Assert.Equal(request.ReasonCode, entry.ReasonCode);
                Interlocked.Increment(ref accepted[Array.IndexOf(AllowedMoves, (from, request.To))]);
            }
            else
            {
                Assert.False(ContractAccepts(from, since, request, timeProvider.GetUtcNow()), $"{from} → {request.To} refused against the contract: {refusal.Message}");
                Assert.Null(entry);
                Assert.Equal(from, refusal.From);
                Assert.Equal(request.To, refusal.To);
                Assert.Equal(IsAllowed(from, request.To) ? RefusalKind.CriterionNotMet : RefusalKind.ForbiddenMove, refusal.Kind);
                Assert.Equal(before.Count, lead.History.Count);
                Assert.Equal(from, lead.Status);
                Assert.Equal(since, lead.StatusSince);
                Interlocked.Increment(ref refused[(int)refusal.Kind]);
            }

            Assert.Equal(before, lead.History.Take(before.Count));
            AssertInvariants(lead);
        }
    }

    private static void AssertInvariants(LeadLifecycle lead)
    {
        var history = lead.History;
        var expectedFrom = LeadStatus.New;
        var at = Start;
        foreach (var entry in history)
        {
            Assert.True(IsAllowed(entry.From, entry.To), $"history holds {entry.From} → {entry.To}");
            Assert.Equal(expectedFrom, entry.From);
            Assert.True(entry.At >= at);
            switch (entry.To)
            {
                case LeadStatus.Disqualified:
                    Assert.Contains(entry.ReasonCode!, DisqualificationCodes);
                    break;
                case LeadStatus.ClosedLost:
                    Assert.Contains(entry.ReasonCode!, ClosedLostCodes);
                    break;
            }

            expectedFrom = entry.To;
            at = entry.At;
        }

        Assert.Equal(expectedFrom, lead.Status);
        Assert.Equal(at, lead.StatusSince);
        var recycles = history.Count(e => e.To == LeadStatus.New);
        Assert.Equal(recycles, lead.RecycleCount);
        Assert.Equal(recycles, history.Count == 0 ? 0 : history[^1].RecycleCount);
    }

    /// <summary>The lifecycle contract (the README's table), decided independently of <see cref="LifecyclePolicy"/>.</summary>
    private static bool ContractAccepts(LeadStatus from, DateTimeOffset since, TransitionRequest request, DateTimeOffset now) =>
        IsAllowed(from, request.To) && request.To switch
        {
            LeadStatus.Mql => request.Score is not null && request.ScoreAboveThreshold && (request.MissingDemographics?.Count ?? 0) == 0,
            LeadStatus.Sal => request.CrmRecordId is not null && request.OwnerId is not null,
            LeadStatus.Sql => request.BudgetConfirmed && request.TimelineConfirmed,
            LeadStatus.Disqualified => request.ReasonCode is not null && DisqualificationCodes.Contains(request.ReasonCode),
            LeadStatus.ClosedLost => request.ReasonCode is not null && ClosedLostCodes.Contains(request.ReasonCode),
            LeadStatus.New => now - since >= Options.RecycleCooldown,
            _ => true,
        };

    /// <summary>
    /// One request of a random sequence. Most steps aim at a move the contract has from wherever the lead
    /// is by then, so that sequences reach deep into the lifecycle; the others aim anywhere.
    /// </summary>
    private sealed record Step(
        bool PickAllowed,
        int Target,
        TimeSpan Advance,
        int? Score,
        bool AboveThreshold,
        int MissingDemographics,
        bool CrmRecord,
        bool Owner,
        bool Budget,
        bool Timeline,
        string? Reason)
    {
        public TransitionRequest ToRequest(LeadStatus from)
        {
            var targets = AllowedMoves.Where(m => m.From == from).Select(m => m.To).ToArray();
            var to = PickAllowed && targets.Length > 0 ? targets[Target % targets.Length] : Statuses[Target % Statuses.Length];
            return new TransitionRequest
            {
                To = to,
                Actor = $"actor-{Target}",
                Score = Score,
                ModelVersion = Score is null ? null : ModelVersion,
                ScoreAboveThreshold = AboveThreshold,
                MissingDemographics = DemographicFields[..MissingDemographics],
                CrmRecordId = CrmRecord ? CrmRecordId : null,
                OwnerId = Owner ? OwnerId : null,
                BudgetConfirmed = Budget,
                TimelineConfirmed = Timeline,
                ReasonCode = Reason,
            };
        }
    }
}
