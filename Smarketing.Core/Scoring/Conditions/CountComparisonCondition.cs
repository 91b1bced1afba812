using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "activity": A, "op": "&gt;=", "value": 3 }</c> and the other comparisons of an activity's count.</summary>
internal sealed record CountComparisonCondition(string Activity, Comparison Comparison, double Value) : ActivityCondition(Activity)
{
    public static Condition? Read(ConditionJson json)
    {
        var o = json.Properties;
        var value = Comparison.ReadValue(o, json.Operator);
        return value is null || o.HasProblems ? null : new CountComparisonCondition(json.Subject, Comparison.Parse(json.Operator), value.Value);
    }

    public override string Describe() => $"{Activity} count {Comparison.Describe(Value)}";

    protected override Expression Test(ConditionCompiler compiler, ParameterExpression signal) =>
        Comparison.Test(Expression.Convert(Count(signal), typeof(double)), Value);

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("activity", Activity);
        writer.WriteString("op", Comparison.Token);
        writer.WriteNumber("value", Value);
    }
}
