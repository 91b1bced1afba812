using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "any": [c, …] }</c>: at least one holds.</summary>
internal sealed record AnyCondition(IReadOnlyList<Condition> Conditions) : Condition
{
    public const string Key = "any";

    public static Condition? Read(ConditionJson json) => json.ReadNestedList(Key) is { } conditions ? new AnyCondition(conditions) : null;

    public override string Describe() => string.Join(" or ", Conditions.Select(c => c.DescribeAsOperand()));

    public override string DescribeAsOperand() => $"({Describe()})";

    public override Expression Compile(ConditionCompiler compiler) => Conditions.Select(c => c.Compile(compiler)).Aggregate(Expression.OrElse);

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteStartArray(Key);
        foreach (var condition in Conditions)
        {
            condition.WriteCanonical(writer);
        }

        writer.WriteEndArray();
    }
}
