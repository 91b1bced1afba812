using System.Globalization;
using System.Linq.Expressions;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>The six comparisons of a number with a <c>value</c>, shared by field and activity-count tests.</summary>
internal sealed class Comparison
{
    private static readonly Comparison[] All =
    [
        new(">", Expression.GreaterThan),
        new(">=", Expression.GreaterThanOrEqual),
        new("<", Expression.LessThan),
        new("<=", Expression.LessThanOrEqual),
        new("==", Expression.Equal),
        new("!=", Expression.NotEqual),
    ];

    private readonly Func<Expression, Expression, BinaryExpression> _build;

    private Comparison(string token, Func<Expression, Expression, BinaryExpression> build)
    {
        Token = token;
        _build = build;
    }

    public static IReadOnlyList<string> Tokens { get; } = All.Select(c => c.Token).ToArray();

    public string Token { get; }

    public static Comparison Parse(string token) => All.Single(c => string.Equals(c.Token, token, StringComparison.Ordinal));

    /// <summary>Reads the <c>value</c> compared with; <c>min</c> and <c>max</c> belong to 'between'.</summary>
    public static double? ReadValue(ModelObject o, string token)
    {
        o.Forbid(token, "min", "max");
        return o.Number("value", required: true);
    }

    public string Describe(double value) => string.Create(CultureInfo.InvariantCulture, $"{Token} {value}");

    public BinaryExpression Test(Expression number, double value) => _build(number, Expression.Constant(value));

    public override string ToString() => Token;
}
