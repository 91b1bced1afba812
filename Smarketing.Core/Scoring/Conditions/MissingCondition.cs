using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "field": F, "op": "missing" }</c>: the lead lacks the field (null, empty or whitespace).</summary>
internal sealed record MissingCondition(string Field) : FieldCondition(Field)
{
    public const string Op = "missing";

    public static Condition? Read(ConditionJson json)
    {
        var o = json.Properties;
        o.Forbid(Op, "value", "values", "min", "max", "ignoreCase");
        return o.HasProblems ? null : new MissingCondition(json.Subject);
    }

    public override string Describe() => $"{Field} missing";

    public override Expression Compile(ConditionCompiler compiler) => Expression.Not(compiler.Present(Field));

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("field", Field);
        writer.WriteString("op", Op);

        // A field test's canonical form spells out ignoreCase whatever the operator: models' versions depend on it.
        writer.WriteBoolean("ignoreCase", false);
    }
}
