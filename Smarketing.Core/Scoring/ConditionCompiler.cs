using System.Collections.Frozen;
using System.Globalization;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring;

internal delegate bool LeadPredicate(LeadProfile lead, DateTimeOffset now);

internal delegate bool SignalPredicate(ActivitySignal signal, DateTimeOffset now);

/// <summary>
/// Turns condition definitions into closures once, when the model loads: every operator, field name and
/// operand is decided here, so scoring a lead is a walk over delegates with no parsing, no string switch
/// on the operator and no allocation.
/// </summary>
internal static class ConditionCompiler
{
    public static LeadPredicate Compile(ConditionDefinition condition) => condition switch
    {
        AllCondition all => CompileAll(all.Conditions.Select(Compile).ToArray()),
        AnyCondition any => CompileAny(any.Conditions.Select(Compile).ToArray()),
        NotCondition not => CompileNot(Compile(not.Condition)),
        FieldCondition field => CompileField(field),
        ActivityCondition activity => CompileActivity(activity),
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
    };

    public static ActivitySignal Signal(LeadProfile lead, string activity) =>
        lead.Activities.TryGetValue(activity, out var signal) && signal is not null ? signal : ActivitySignal.None;

    public static SignalPredicate CompileSignal(ActivityCondition condition)
    {
        switch (condition.Op)
        {
            case ConditionOperator.Occurred:
                return static (signal, _) => signal.Count > 0;
            case ConditionOperator.WithinDays:
                {
                    var window = TimeSpan.FromDays(condition.Number!.Value);

                    // A timestamp ahead of now (clock skew between vendor and us) is recent, not out of window.
                    return (signal, now) => signal.Count > 0 && signal.LastOccurredAt is { } at && now - at <= window;
                }

            default:
                {
                    var test = CompileNumberTest(condition.Op, condition.Number, condition.Min, condition.Max);
                    return (signal, _) => test(signal.Count);
                }
        }
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

    private static LeadPredicate CompileAll(LeadPredicate[] parts) => parts.Length == 1 ? parts[0] : (lead, now) =>
    {
        foreach (var part in parts)
        {
            if (!part(lead, now))
            {
                return false;
            }
        }

        return true;
    };

    private static LeadPredicate CompileAny(LeadPredicate[] parts) => parts.Length == 1 ? parts[0] : (lead, now) =>
    {
        foreach (var part in parts)
        {
            if (part(lead, now))
            {
                return true;
            }
        }

        return false;
    };

    private static LeadPredicate CompileNot(LeadPredicate inner) => (lead, now) => !inner(lead, now);

    private static LeadPredicate CompileActivity(ActivityCondition condition)
    {
        var name = condition.Activity;
        var test = CompileSignal(condition);
        return (lead, now) => test(Signal(lead, name), now);
    }

    private static LeadPredicate CompileField(FieldCondition condition)
    {
        var field = condition.Field;
        switch (condition.Op)
        {
            case ConditionOperator.EqualsText:
                {
                    var read = LeadFields.TextReader(field);
                    var expected = condition.Text!;
                    var comparison = condition.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                    return (lead, _) => string.Equals(read(lead), expected, comparison);
                }

            case ConditionOperator.In:
                {
                    var read = LeadFields.TextReader(field);
                    var set = condition.Values!.ToFrozenSet(condition.IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
                    return (lead, _) => read(lead) is { } value && set.Contains(value);
                }

            case ConditionOperator.Present:
                {
                    var present = LeadFields.IsPresent(field);
                    return (lead, _) => present(lead);
                }

            case ConditionOperator.Missing:
                {
                    var present = LeadFields.IsPresent(field);
                    return (lead, _) => !present(lead);
                }

            default:
                {
                    var test = CompileNumberTest(condition.Op, condition.Number, condition.Min, condition.Max);
                    if (string.Equals(field, "companySize", StringComparison.Ordinal))
                    {
                        // The one numeric property of the profile, read directly: it is in the default model's hot path.
                        return (lead, _) => lead.CompanySize is { } size && test(size);
                    }

                    var read = LeadFields.NumberReader(field);

                    // A lead without the number fails every comparison, '!=' included: unknown is not "different".
                    return (lead, _) => read(lead, out var value) && test(value);
                }
        }
    }

    private static Func<double, bool> CompileNumberTest(ConditionOperator op, double? operand, double? min, double? max)
    {
        var x = operand.GetValueOrDefault();
        var lo = min.GetValueOrDefault();
        var hi = max.GetValueOrDefault();
        return op switch
        {
            ConditionOperator.GreaterThan => v => v > x,
            ConditionOperator.GreaterOrEqual => v => v >= x,
            ConditionOperator.LessThan => v => v < x,
            ConditionOperator.LessOrEqual => v => v <= x,
            ConditionOperator.EqualNumber => v => v == x,
            ConditionOperator.NotEqualNumber => v => v != x,
            ConditionOperator.Between => v => v >= lo && v <= hi,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
        };
    }
}
