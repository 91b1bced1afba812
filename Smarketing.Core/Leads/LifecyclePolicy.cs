using System.Collections.Frozen;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Leads;

/// <summary>
/// The lifecycle contract: which moves exist and what each one needs. Built once from
/// <see cref="LifecycleOptions"/>; time comes from the given <see cref="TimeProvider"/>.
/// </summary>
public sealed class LifecyclePolicy
{
    private static readonly FrozenSet<(LeadStatus From, LeadStatus To)> Moves = new[]
    {
        (LeadStatus.New, LeadStatus.Mql),
        (LeadStatus.New, LeadStatus.Disqualified),
        (LeadStatus.Mql, LeadStatus.Disqualified),
        (LeadStatus.Sal, LeadStatus.Disqualified),
        (LeadStatus.Mql, LeadStatus.Sal),
        (LeadStatus.Sal, LeadStatus.Sql),
        (LeadStatus.Sql, LeadStatus.ClosedWon),
        (LeadStatus.Sql, LeadStatus.ClosedLost),
        (LeadStatus.Disqualified, LeadStatus.New),
        (LeadStatus.ClosedLost, LeadStatus.New),
    }.ToFrozenSet();

    private readonly FrozenDictionary<string, ReasonCode> _disqualificationReasons;
    private readonly FrozenDictionary<string, ReasonCode> _closedLostReasons;

    /// <summary>Builds the policy from options and a clock.</summary>
    public LifecyclePolicy(LifecycleOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _disqualificationReasons = options.DisqualificationReasons.ToFrozenDictionary(r => r.Code, StringComparer.Ordinal);
        _closedLostReasons = options.ClosedLostReasons.ToFrozenDictionary(r => r.Code, StringComparer.Ordinal);
        RecycleCooldown = options.RecycleCooldown;
        TimeProvider = timeProvider;
    }

    /// <summary>Every move the contract allows.</summary>
    public static IReadOnlyCollection<(LeadStatus From, LeadStatus To)> AllowedMoves => Moves;

    /// <summary>The clock the policy stamps history with.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The rest a lead needs before recycling to NEW.</summary>
    public TimeSpan RecycleCooldown { get; }

    /// <summary>The configured disqualification reason codes.</summary>
    public IReadOnlyCollection<ReasonCode> DisqualificationReasons => _disqualificationReasons.Values;

    /// <summary>The configured closed-lost reason codes.</summary>
    public IReadOnlyCollection<ReasonCode> ClosedLostReasons => _closedLostReasons.Values;

    /// <summary>True when the contract has a move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsAllowedMove(LeadStatus from, LeadStatus to) => Moves.Contains((from, to));

    /// <summary>Looks up a reason code valid for a move to <paramref name="to"/>.</summary>
    public bool TryGetReason(LeadStatus to, string? code, out ReasonCode? reason)
    {
        reason = null;
        var list = to switch
        {
            LeadStatus.Disqualified => _disqualificationReasons,
            LeadStatus.ClosedLost => _closedLostReasons,
            _ => null,
        };
        return list is not null && code is not null && list.TryGetValue(code, out reason);
    }

    /// <summary>
    /// Decides whether <paramref name="request"/> may move a lead that is in <paramref name="from"/>,
    /// entered that status at <paramref name="statusSince"/>. Null means accepted.
    /// </summary>
    public TransitionRefusal? Check(LeadStatus from, DateTimeOffset statusSince, TransitionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var to = request.To;
        if (!IsAllowedMove(from, to))
        {
            return new TransitionRefusal
            {
                From = from,
                To = to,
                Kind = RefusalKind.ForbiddenMove,
                MissingCriterion = $"from {from.Describe()} the contract allows {AllowedTargets(from)}",
            };
        }

        var missing = (from, to) switch
        {
            (LeadStatus.New, LeadStatus.Mql) => MqlCriterion(request),
            (_, LeadStatus.Disqualified) => ReasonCriterion(request, _disqualificationReasons),
            (LeadStatus.Mql, LeadStatus.Sal) => HandoffCriterion(request),
            (LeadStatus.Sal, LeadStatus.Sql) => !request.BudgetConfirmed || !request.TimelineConfirmed
                ? Join(request.BudgetConfirmed ? null : "sales' confirmation of the budget", request.TimelineConfirmed ? null : "sales' confirmation of the timeline")
                : null,
            (LeadStatus.Sql, LeadStatus.ClosedLost) => ReasonCriterion(request, _closedLostReasons),
            (_, LeadStatus.New) => RecycleCriterion(statusSince),
            _ => null,
        };

        return missing is null ? null : new TransitionRefusal { From = from, To = to, Kind = RefusalKind.CriterionNotMet, MissingCriterion = missing };
    }

    private static string? MqlCriterion(TransitionRequest request)
    {
        var scoreMissing = request.ScoreAboveThreshold && request.Score is not null
            ? null
            : "a score strictly above the MQL threshold";
        var fields = request.MissingDemographics is { Count: > 0 } m
            ? $"the demographic field(s) {string.Join(", ", m)}"
            : null;
        return Join(scoreMissing, fields);
    }

    private static string? HandoffCriterion(TransitionRequest request) => Join(
        string.IsNullOrWhiteSpace(request.CrmRecordId) ? "a CRM record upserted by the handoff" : null,
        string.IsNullOrWhiteSpace(request.OwnerId) ? "an owner assigned in the CRM" : null);

    private static string? ReasonCriterion(TransitionRequest request, FrozenDictionary<string, ReasonCode> allowed)
    {
        if (request.ReasonCode is not null && allowed.ContainsKey(request.ReasonCode))
        {
            return null;
        }

        var codes = allowed.Count == 0 ? null : string.Join(", ", allowed.Keys.Order(StringComparer.Ordinal));
        return (request.ReasonCode, codes) switch
        {
            (null, null) => "a reason code (and none is configured)",
            (null, _) => $"a reason code (one of {codes})",
            (_, null) => $"a reason code from the configured list ('{SensitiveText.Echo(request.ReasonCode)}' is not in it: the list is empty)",
            _ => $"a reason code from the configured list ('{SensitiveText.Echo(request.ReasonCode)}' is not one of {codes})",
        };
    }

    private string? RecycleCriterion(DateTimeOffset statusSince)
    {
        if (TimeProvider.GetUtcNow() - statusSince >= RecycleCooldown)
        {
            return null;
        }

        // A cool-down that outlasts the calendar (TimeSpan.MaxValue, say) is a way to configure "never recycle";
        // statusSince + RecycleCooldown would overflow, so say so instead.
        var ends = RecycleCooldown <= DateTimeOffset.MaxValue - statusSince ? $"ends {statusSince + RecycleCooldown:O}" : "never ends";
        return $"the recycle cool-down of {RecycleCooldown} ({ends})";
    }

    private static string AllowedTargets(LeadStatus from)
    {
        var targets = Moves.Where(m => m.From == from).Select(m => m.To.ToWire()).Order(StringComparer.Ordinal).ToList();
        return targets.Count == 0 ? "no move" : $"only {string.Join(", ", targets)}";
    }

    private static string? Join(string? a, string? b) =>
        a is null ? b : b is null ? a : $"{a} and {b}";
}
