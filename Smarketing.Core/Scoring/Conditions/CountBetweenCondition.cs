using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "activity": A, "op": "between", "min": 2, "max": 5 }</c>: min ≤ the activity's count ≤ max.</summary>
internal sealed record CountBetweenCondition(string Activity, double Min, double Max) : ActivityCondition(Activity)
{
    public const string Op = NumberRange.Op;

    public static Condition? Read(ConditionJson json)
    {
        var o = json.Properties;
        var range = NumberRange.Read(o);
        return range is not { } r || o.HasProblems ? null : new CountBetweenCondition(json.Subject, r.Min, r.Max);
    }

    public override string Describe() => $"{Activity} count {NumberRange.Describe(Min, Max)}";

    protected override Expression Test(ConditionCompiler compiler, ParameterExpression signal) =>
        NumberRange.Test(Expression.Convert(Count(signal), typeof(double)), Min, Max);

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("activity", Activity);
        writer.WriteString("op", Op);
        writer.WriteNumber("min", Min);
        writer.WriteNumber("max", Max);
    }
}
