using System.Globalization;
using System.Linq.Expressions;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>The 'between' test of a number, min ≤ n ≤ max, shared by field and activity-count tests.</summary>
internal static class NumberRange
{
    public const string Op = "between";

    /// <summary>Reads <c>min</c> and <c>max</c>; null when either is missing or min &gt; max (the problem is reported).</summary>
    public static (double Min, double Max)? Read(ModelObject o)
    {
        o.Forbid(Op, "value");
        var min = o.Number("min", required: true);
        var max = o.Number("max", required: true);
        if (min > max)
        {
            o.Problem("min", string.Create(CultureInfo.InvariantCulture, $"{min} is greater than max {max}"));
        }

        return min is { } lo && max is { } hi && lo <= hi ? (lo, hi) : null;
    }

    public static string Describe(double min, double max) => string.Create(CultureInfo.InvariantCulture, $"between {min} and {max}");

    public static Expression Test(Expression number, double min, double max) => Expression.AndAlso(
        Expression.GreaterThanOrEqual(number, Expression.Constant(min)),
        Expression.LessThanOrEqual(number, Expression.Constant(max)));
}
