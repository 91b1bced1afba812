namespace Smarketing.Core.Scoring.Conditions;

/// <summary>Reads one kind of condition from its JSON; null when it reported a problem.</summary>
internal delegate Condition? ConditionKindReader(ConditionJson json);

/// <summary>
/// A registered kind: the key that selects its shape (<c>field</c>, <c>activity</c>, <c>all</c>, ...), the
/// operators it reads for a field or activity test, and its reader.
/// </summary>
internal sealed record ConditionKind(ConditionShape Shape, IReadOnlyList<string> Operators, ConditionKindReader Read)
{
    /// <summary>The kind's names as a model spells them, e.g. <c>field equals</c>, <c>activity &gt;=</c>, <c>all</c>.</summary>
    public IEnumerable<string> Names => Shape.IsTest ? Operators.Select(op => $"{Shape.Key} {op}") : [Shape.Key];
}

/// <summary>
/// The condition kinds a scoring model can use. This table is the only list of them: a kind's file plus its line
/// here is all it takes to add one. The order is the order error messages list the keys and operators in.
/// </summary>
internal static class ConditionKinds
{
    private static readonly ConditionKind[] Registered =
    [
        Field(EqualsCondition.Op, EqualsCondition.Read),
        Field(InCondition.Op, InCondition.Read),
        Field(PresentCondition.Op, PresentCondition.Read),
        Field(MissingCondition.Op, MissingCondition.Read),
        Field(Comparison.Tokens, FieldComparisonCondition.Read),
        Field(FieldBetweenCondition.Op, FieldBetweenCondition.Read),
        Activity(OccurredCondition.Op, OccurredCondition.Read),
        Activity(WithinDaysCondition.Op, WithinDaysCondition.Read),
        Activity(Comparison.Tokens, CountComparisonCondition.Read),
        Activity(CountBetweenCondition.Op, CountBetweenCondition.Read),
        Combination(AllCondition.Key, AllCondition.Read),
        Combination(AnyCondition.Key, AnyCondition.Read),
        Combination(NotCondition.Key, NotCondition.Read),
    ];

    private static readonly Dictionary<(string Key, string Op), ConditionKind> ByName =
        Registered.SelectMany(k => k.Shape.IsTest ? k.Operators.Select(op => (k, op)) : [(k, string.Empty)])
            .ToDictionary(x => (x.k.Shape.Key, x.op), x => x.k);

    public static IReadOnlyList<ConditionKind> All => Registered;

    /// <summary>The keys that select a condition's shape, e.g. <c>field, activity, all, any, not</c>.</summary>
    public static IReadOnlyList<ConditionShape> Shapes { get; } = Registered.Select(k => k.Shape).Distinct().ToArray();

    /// <summary>Every operator of a field or activity test, each once.</summary>
    public static IReadOnlyList<string> Operators { get; } = Registered.SelectMany(k => k.Operators).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The kind a shape and operator select (the operator is empty for a combination); null when the shape has no such operator.</summary>
    public static ConditionKind? Find(ConditionShape shape, string op) => ByName.GetValueOrDefault((shape.Key, op));

    private static ConditionKind Field(string op, ConditionKindReader read) => Field([op], read);

    private static ConditionKind Field(IReadOnlyList<string> ops, ConditionKindReader read) => new(FieldCondition.Shape, ops, read);

    private static ConditionKind Activity(string op, ConditionKindReader read) => Activity([op], read);

    private static ConditionKind Activity(IReadOnlyList<string> ops, ConditionKindReader read) => new(ActivityCondition.Shape, ops, read);

    private static ConditionKind Combination(string key, ConditionKindReader read) => new(ConditionShape.Combination(key), [], read);
}
