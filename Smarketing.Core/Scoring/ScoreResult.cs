namespace Smarketing.Core.Scoring;

/// <summary>The score of one lead under one scoring model, with the reasons for it.</summary>
public sealed record ScoreResult
{
    /// <summary>The total score (0 when a gate fired).</summary>
    public required int Score { get; init; }

    /// <summary>The model's MQL threshold; a lead is an MQL only when <see cref="Score"/> is strictly greater.</summary>
    public required int Threshold { get; init; }

    /// <summary>True when the score is above the threshold and every field the model requires for MQL is present.</summary>
    public required bool IsMql { get; init; }

    /// <summary>
    /// One line per rule of the model in model order (fired or not, see <see cref="ScoreLine.Fired"/>),
    /// then one line per gate that fired. When a gate fired the rule lines still show what each rule
    /// would have contributed, but <see cref="Score"/> is 0.
    /// </summary>
    public required IReadOnlyList<ScoreLine> Explanation { get; init; }

    /// <summary>Fields the model requires for MQL that this lead lacks (empty when none).</summary>
    public required IReadOnlyList<string> MissingForMql { get; init; }

    /// <summary>The version (content hash) of the scoring model that produced this result.</summary>
    public required string ModelVersion { get; init; }
}

/// <summary>One line of a score's explanation: a rule that added or removed points, or a gate that forced the score to 0.</summary>
public sealed record ScoreLine
{
    /// <summary>The id of the rule or gate in the model.</summary>
    public required string RuleId { get; init; }

    /// <summary>Human-readable description of what fired, e.g. "industry in [SaaS, FinTech]".</summary>
    public required string Description { get; init; }

    /// <summary>Points the rule contributed (after cap and decay); 0 for a gate or a rule that did not fire.</summary>
    public required int Points { get; init; }

    /// <summary>True for a gate line: the score was forced to 0 for the reason in <see cref="Description"/>.</summary>
    public bool IsGate { get; init; }

    /// <summary>
    /// False for a rule whose condition did not hold for this lead (its <see cref="Points"/> are then 0);
    /// listed anyway so that an explanation shows every rule the lead was measured against.
    /// </summary>
    public bool Fired { get; init; } = true;
}
