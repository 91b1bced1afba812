using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary><c>{ "not": c }</c>: the condition does not hold.</summary>
internal sealed record NotCondition(Condition Condition) : Condition
{
    public const string Key = "not";

    public static Condition? Read(ConditionJson json) => json.ReadNested(Key) is { } condition ? new NotCondition(condition) : null;

    public override string Describe() => "not " + Condition.DescribeAsOperand();

    public override string DescribeAsOperand() => $"({Describe()})";

    public override Expression Compile(ConditionCompiler compiler) => Expression.Not(Condition.Compile(compiler));

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WritePropertyName(Key);
        Condition.WriteCanonical(writer);
    }
}
