using System.Collections.Frozen;
using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "field": F, "op": "in", "values": ["SaaS", "FinTech"], "ignoreCase": false }</c>: the text field is one of the values.</summary>
internal sealed record InCondition(string Field, IReadOnlyList<string> Values, bool IgnoreCase) : FieldCondition(Field)
{
    public const string Op = "in";

    /// <summary>Up to this many values an 'in' is a chain of comparisons, which beats hashing for short lists.</summary>
    private const int MaxInlinedValues = 8;

    public static Condition? Read(ConditionJson json)
    {
        if (!IsTextField(json))
        {
            return null;
        }

        var o = json.Properties;
        var ignoreCase = o.Bool("ignoreCase") ?? false;
        o.Forbid(Op, "value", "min", "max");
        var values = o.StringArray("values");
        return values is null || o.HasProblems ? null : new InCondition(json.Subject, values, ignoreCase);
    }

    public override string Describe() => $"{Field} in [{string.Join(", ", Values)}]{(IgnoreCase ? " (ignoring case)" : string.Empty)}";

    public override Expression Compile(ConditionCompiler compiler)
    {
        var comparison = Expression.Constant(IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        var comparer = IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var values = Values.Distinct(comparer).ToArray();
        var value = Expression.Variable(typeof(string), Field);
        var test = values.Length <= MaxInlinedValues
            ? values.Select(v => (Expression)Expression.Call(ConditionCompiler.StringEquals, value, Expression.Constant(v), comparison)).Aggregate(Expression.OrElse)
            : Expression.Call(
                Expression.Constant(values.ToFrozenSet(comparer)),
                typeof(FrozenSet<string>).GetMethod(nameof(FrozenSet<string>.Contains))!,
                value);
        return Expression.Block(
            [value],
            Expression.Assign(value, LeadFields.ReadText(compiler.Lead, Field)),
            Expression.AndAlso(Expression.NotEqual(value, Expression.Constant(null, typeof(string))), test));
    }

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("field", Field);
        writer.WriteString("op", Op);
        writer.WriteStartArray("values");
        foreach (var value in Values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("ignoreCase", IgnoreCase);
    }
}
