using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "field": F, "op": "present" }</c>: the lead has the field; null, empty and whitespace are missing.</summary>
internal sealed record PresentCondition(string Field) : FieldCondition(Field)
{
    public const string Op = "present";

    public static Condition? Read(ConditionJson json)
    {
        var o = json.Properties;
        o.Forbid(Op, "value", "values", "min", "max", "ignoreCase");
        return o.HasProblems ? null : new PresentCondition(json.Subject);
    }

    public override string Describe() => $"{Field} present";

    public override Expression Compile(ConditionCompiler compiler) => compiler.Present(Field);

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("field", Field);
        writer.WriteString("op", Op);

        // A field test's canonical form spells out ignoreCase whatever the operator: models' versions depend on it.
        writer.WriteBoolean("ignoreCase", false);
    }
}
