using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// <c>{ "field": F, "op": "&gt;", "value": 100 }</c> and the other comparisons of a number field (companySize, or an
/// attribute read as an invariant-culture number). A lead without the number fails every comparison, '!=' included.
/// </summary>
internal sealed record FieldComparisonCondition(string Field, Comparison Comparison, double Value) : FieldCondition(Field)
{
    public static Condition? Read(ConditionJson json)
    {
        if (!IsNumberField(json))
        {
            return null;
        }

        var o = json.Properties;
        o.Forbid(json.Operator, "values", "ignoreCase");
        var value = Comparison.ReadValue(o, json.Operator);
        return value is null || o.HasProblems ? null : new FieldComparisonCondition(json.Subject, Comparison.Parse(json.Operator), value.Value);
    }

    public override string Describe() => $"{Field} {Comparison.Describe(Value)}";

    public override Expression Compile(ConditionCompiler compiler) =>
        LeadFields.TestNumber(compiler.Lead, Field, number => Comparison.Test(number, Value));

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("field", Field);
        writer.WriteString("op", Comparison.Token);
        writer.WriteNumber("value", Value);

        // A field test's canonical form spells out ignoreCase whatever the operator: models' versions depend on it.
        writer.WriteBoolean("ignoreCase", false);
    }
}
