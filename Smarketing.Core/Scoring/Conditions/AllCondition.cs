using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "all": [c, …] }</c>: every condition holds.</summary>
internal sealed record AllCondition(IReadOnlyList<Condition> Conditions) : Condition
{
    public const string Key = "all";

    public static Condition? Read(ConditionJson json) => json.ReadNestedList(Key) is { } conditions ? new AllCondition(conditions) : null;

    public override string Describe() => string.Join(" and ", Conditions.Select(c => c.DescribeAsOperand()));

    public override string DescribeAsOperand() => $"({Describe()})";

    public override Expression Compile(ConditionCompiler compiler) => Conditions.Select(c => c.Compile(compiler)).Aggregate(Expression.AndAlso);

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
