namespace Smarketing.Core.Scoring;

// The validated, parsed form of a scoring model file. It is what the compiler compiles and what the
// version hashes: hashing this rather than the raw text is what makes whitespace, property order,
// comments and spelled-out defaults irrelevant to the version.

internal sealed record ModelDefinition(
    string Name,
    string? Description,
    int Threshold,
    IReadOnlyList<string> RequiredForMql,
    IReadOnlyList<RuleDefinition> Rules,
    IReadOnlyList<GateDefinition> Gates);

internal sealed record RuleDefinition(
    string Id,
    string? Description,
    ConditionDefinition When,
    int Points,
    bool PerOccurrence,
    int? Cap,
    double? HalfLifeDays);

internal sealed record GateDefinition(string Id, string Reason, ConditionDefinition When);

internal abstract record ConditionDefinition;

internal sealed record AllCondition(IReadOnlyList<ConditionDefinition> Conditions) : ConditionDefinition;

internal sealed record AnyCondition(IReadOnlyList<ConditionDefinition> Conditions) : ConditionDefinition;

internal sealed record NotCondition(ConditionDefinition Condition) : ConditionDefinition;

/// <summary>A test of one demographic field; which of the optional members is set depends on <see cref="Op"/>.</summary>
internal sealed record FieldCondition(
    string Field,
    ConditionOperator Op,
    string? Text,
    IReadOnlyList<string>? Values,
    double? Number,
    double? Min,
    double? Max,
    bool IgnoreCase) : ConditionDefinition;

/// <summary>A test of one behavioural activity; numeric operators compare its count.</summary>
internal sealed record ActivityCondition(
    string Activity,
    ConditionOperator Op,
    double? Number,
    double? Min,
    double? Max) : ConditionDefinition;

internal enum ConditionOperator
{
    EqualsText,
    In,
    Present,
    Missing,
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    EqualNumber,
    NotEqualNumber,
    Between,
    Occurred,
    WithinDays,
}

internal static class ConditionOperators
{
    private static readonly (string Token, ConditionOperator Op)[] Table =
    [
        ("equals", ConditionOperator.EqualsText),
        ("in", ConditionOperator.In),
        ("present", ConditionOperator.Present),
        ("missing", ConditionOperator.Missing),
        (">", ConditionOperator.GreaterThan),
        (">=", ConditionOperator.GreaterOrEqual),
        ("<", ConditionOperator.LessThan),
        ("<=", ConditionOperator.LessOrEqual),
        ("==", ConditionOperator.EqualNumber),
        ("!=", ConditionOperator.NotEqualNumber),
        ("between", ConditionOperator.Between),
        ("occurred", ConditionOperator.Occurred),
        ("withinDays", ConditionOperator.WithinDays),
    ];

    public static string AllTokens { get; } = string.Join(", ", Table.Select(t => t.Token));

    public static bool TryParse(string token, out ConditionOperator op)
    {
        foreach (var (t, o) in Table)
        {
            if (string.Equals(t, token, StringComparison.Ordinal))
            {
                op = o;
                return true;
            }
        }

        op = default;
        return false;
    }

    public static string Token(this ConditionOperator op)
    {
        foreach (var (t, o) in Table)
        {
            if (o == op)
            {
                return t;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(op), op, null);
    }
}
