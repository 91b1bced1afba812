using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "field": F, "op": "between", "min": 50, "max": 500 }</c>: min ≤ the number field ≤ max.</summary>
internal sealed record FieldBetweenCondition(string Field, double Min, double Max) : FieldCondition(Field)
{
    public const string Op = NumberRange.Op;

    public static Condition? Read(ConditionJson json)
    {
        if (!IsNumberField(json))
        {
            return null;
        }

        var o = json.Properties;
        o.Forbid(Op, "values", "ignoreCase");
        var range = NumberRange.Read(o);
        return range is not { } r || o.HasProblems ? null : new FieldBetweenCondition(json.Subject, r.Min, r.Max);
    }

    public override string Describe() => $"{Field} {NumberRange.Describe(Min, Max)}";

    public override Expression Compile(ConditionCompiler compiler) =>
        LeadFields.TestNumber(compiler.Lead, Field, number => NumberRange.Test(number, Min, Max));

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("field", Field);
        writer.WriteString("op", Op);
        writer.WriteNumber("min", Min);
        writer.WriteNumber("max", Max);

        // A field test's canonical form spells out ignoreCase whatever the operator: models' versions depend on it.
        writer.WriteBoolean("ignoreCase", false);
    }
}
