using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "activity": A, "op": "occurred" }</c>: the activity's count is above 0.</summary>
internal sealed record OccurredCondition(string Activity) : ActivityCondition(Activity)
{
    public const string Op = "occurred";

    public static Condition? Read(ConditionJson json)
    {
        var o = json.Properties;
        o.Forbid(Op, "value", "min", "max");
        return o.HasProblems ? null : new OccurredCondition(json.Subject);
    }

    public override string Describe() => $"{Activity} occurred";

    protected override Expression Test(ConditionCompiler compiler, ParameterExpression signal) =>
        Expression.GreaterThan(Count(signal), Expression.Constant(0));

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("activity", Activity);
        writer.WriteString("op", Op);
    }
}
