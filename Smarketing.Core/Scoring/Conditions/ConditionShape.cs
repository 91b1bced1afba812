namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// What the key of a condition object selects: the properties the object may have and, for a field or activity
/// test, how its subject is named and what to say about an operator that belongs to the other test.
/// </summary>
internal sealed record ConditionShape(
    string Key,
    string[] Properties,
    Func<string, string>? Canonical = null,
    Func<string, string, string>? WrongOperator = null)
{
    /// <summary>True for a test of a field or activity (key, <c>op</c> and operands); false for all, any and not.</summary>
    public bool IsTest => WrongOperator is not null;

    /// <summary>A combination of conditions, whose only property is its key.</summary>
    public static ConditionShape Combination(string key) => new(key, [key]);
}
