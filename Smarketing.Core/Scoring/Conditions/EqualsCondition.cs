using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "field": F, "op": "equals", "value": "SaaS", "ignoreCase": false }</c>: the text field equals the value (ordinal).</summary>
internal sealed record EqualsCondition(string Field, string Text, bool IgnoreCase) : FieldCondition(Field)
{
    public const string Op = "equals";

    public static Condition? Read(ConditionJson json)
    {
        if (!IsTextField(json))
        {
            return null;
        }

        var o = json.Properties;
        var ignoreCase = o.Bool("ignoreCase") ?? false;
        o.Forbid(Op, "values", "min", "max");
        var text = o.String("value", required: true);
        return text is null || o.HasProblems ? null : new EqualsCondition(json.Subject, text, ignoreCase);
    }

    public override string Describe() => $"{Field} equals \"{Text}\"{(IgnoreCase ? " (ignoring case)" : string.Empty)}";

    public override Expression Compile(ConditionCompiler compiler) => Expression.Call(
        ConditionCompiler.StringEquals,
        LeadFields.ReadText(compiler.Lead, Field),
        Expression.Constant(Text),
        Expression.Constant(IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("field", Field);
        writer.WriteString("op", Op);
        writer.WriteString("value", Text);
        writer.WriteBoolean("ignoreCase", IgnoreCase);
    }
}
