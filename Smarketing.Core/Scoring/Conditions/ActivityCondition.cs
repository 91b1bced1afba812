using System.Linq.Expressions;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// A test of one behavioural activity, <c>{ "activity": A, "op": …, … }</c>; each operator is a kind of its own.
/// A rule with <c>perOccurrence</c> or <c>halfLifeDays</c> needs its condition to be one of these.
/// </summary>
internal abstract record ActivityCondition(string Activity) : Condition
{
    public static ConditionShape Shape { get; } = new(
        "activity",
        ["activity", "op", "value", "min", "max"],
        activity => activity,
        (_, op) => $"'{op}' applies to a field; an activity takes 'occurred', 'withinDays' or a comparison of its count ('>=', 'between', ...)");

    public sealed override Expression Compile(ConditionCompiler compiler) => Test(compiler, compiler.Signal(Activity));

    /// <summary>The test of the lead's <see cref="ActivitySignal"/>, looked up once per lead into <paramref name="signal"/>.</summary>
    protected abstract Expression Test(ConditionCompiler compiler, ParameterExpression signal);

    protected static Expression Count(ParameterExpression signal) => Expression.Property(signal, nameof(ActivitySignal.Count));
}
