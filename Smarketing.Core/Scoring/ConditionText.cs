using System.Globalization;
using System.Text;

namespace Smarketing.Core.Scoring;

/// <summary>The human-readable text of rules and conditions that explanation lines carry when a rule has no description.</summary>
internal static class ConditionText
{
    public static string Describe(RuleDefinition rule)
    {
        if (rule.Description is not null)
        {
            return rule.Description;
        }

        var text = new StringBuilder(Describe(rule.When));
        if (rule.PerOccurrence)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {rule.Points} per occurrence");
        }

        if (rule.Cap is { } cap)
        {
            text.Append(CultureInfo.InvariantCulture, $", capped at {cap}");
        }

        if (rule.HalfLifeDays is { } halfLife)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(rule.PerOccurrence ? "," : ";")} halving every {halfLife} days");
        }

        return text.ToString();
    }

    public static string Describe(ConditionDefinition condition) => condition switch
    {
        AllCondition all => string.Join(" and ", all.Conditions.Select(DescribeNested)),
        AnyCondition any => string.Join(" or ", any.Conditions.Select(DescribeNested)),
        NotCondition not => "not " + DescribeNested(not.Condition),
        FieldCondition f => DescribeField(f),
        ActivityCondition a => DescribeActivity(a),
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
    };

    private static string DescribeNested(ConditionDefinition condition) =>
        condition is AllCondition or AnyCondition or NotCondition ? $"({Describe(condition)})" : Describe(condition);

    private static string DescribeField(FieldCondition f)
    {
        var ignoreCase = f.IgnoreCase ? " (ignoring case)" : string.Empty;
        return f.Op switch
        {
            ConditionOperator.EqualsText => $"{f.Field} equals \"{f.Text}\"{ignoreCase}",
            ConditionOperator.In => $"{f.Field} in [{string.Join(", ", f.Values!)}]{ignoreCase}",
            ConditionOperator.Present => $"{f.Field} present",
            ConditionOperator.Missing => $"{f.Field} missing",
            _ => $"{f.Field} {DescribeNumberTest(f.Op, f.Number, f.Min, f.Max)}",
        };
    }

    private static string DescribeActivity(ActivityCondition a) => a.Op switch
    {
        ConditionOperator.Occurred => $"{a.Activity} occurred",
        ConditionOperator.WithinDays => string.Create(CultureInfo.InvariantCulture, $"{a.Activity} within {a.Number} days"),
        _ => $"{a.Activity} count {DescribeNumberTest(a.Op, a.Number, a.Min, a.Max)}",
    };

    private static string DescribeNumberTest(ConditionOperator op, double? value, double? min, double? max) =>
        op == ConditionOperator.Between
            ? string.Create(CultureInfo.InvariantCulture, $"between {min} and {max}")
            : string.Create(CultureInfo.InvariantCulture, $"{op.Token()} {value}");
}
