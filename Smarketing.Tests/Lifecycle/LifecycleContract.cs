using Smarketing.Core.Leads;

namespace Smarketing.Tests.Lifecycle;

/// <summary>
/// The lifecycle contract as the README's table writes it, spelled out independently of <see cref="LifecyclePolicy"/>
/// so that the tests check the implementation against the design rather than against itself.
/// </summary>
internal static class LifecycleContract
{
    public static readonly (LeadStatus From, LeadStatus To)[] AllowedMoves =
    [
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
    ];

    public static readonly LeadStatus[] Statuses = Enum.GetValues<LeadStatus>();

    public const string Actor = "system:test";
    public const string ModelVersion = "sha256:3f9a1c";
    public const string CrmRecordId = "00Q5e00000AbCdE";
    public const string OwnerId = "005-rep-42";

    public static bool IsAllowed(LeadStatus from, LeadStatus to) => AllowedMoves.Contains((from, to));

    /// <summary>A request carrying the complete evidence that a move to <paramref name="to"/> needs.</summary>
    public static TransitionRequest CompleteRequest(LeadStatus to, string actor = Actor) => to switch
    {
        LeadStatus.Mql => new()
        {
            To = to,
            Actor = actor,
            Score = 80,
            ModelVersion = ModelVersion,
            ScoreAboveThreshold = true,
            MissingDemographics = [],
            Note = "scored 80 > 70",
        },
        LeadStatus.Sal => new() { To = to, Actor = actor, CrmRecordId = CrmRecordId, OwnerId = OwnerId },
        LeadStatus.Sql => new() { To = to, Actor = actor, BudgetConfirmed = true, TimelineConfirmed = true },
        LeadStatus.Disqualified => new() { To = to, Actor = actor, ReasonCode = "NO_BUDGET" },
        LeadStatus.ClosedLost => new() { To = to, Actor = actor, ReasonCode = "PRICE" },
        _ => new() { To = to, Actor = actor },
    };

    /// <summary>A request carrying every piece of evidence any criterion could ask for.</summary>
    public static TransitionRequest EverythingRequest(LeadStatus to) => new()
    {
        To = to,
        Actor = Actor,
        Score = 95,
        ModelVersion = ModelVersion,
        ScoreAboveThreshold = true,
        MissingDemographics = [],
        CrmRecordId = CrmRecordId,
        OwnerId = OwnerId,
        BudgetConfirmed = true,
        TimelineConfirmed = true,
        ReasonCode = to == LeadStatus.ClosedLost ? "PRICE" : "NO_BUDGET",
    };
}
