using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// <c>{ "activity": A, "op": "withinDays", "value": 30 }</c>: the activity occurred and its last occurrence is at most
/// that many days before now. A time after now counts as recent; no time at all fails.
/// </summary>
internal sealed record WithinDaysCondition(string Activity, double Days) : ActivityCondition(Activity)
{
    public const string Op = "withinDays";

    private static readonly MethodInfo IsWithinMethod =
        typeof(WithinDaysCondition).GetMethod(nameof(IsWithin), BindingFlags.Static | BindingFlags.NonPublic)!;

    public static Condition? Read(ConditionJson json)
    {
        var o = json.Properties;
        o.Forbid(Op, "min", "max");
        var days = o.Number("value", required: true);
        if (days is <= 0)
        {
            o.Problem("value", string.Create(CultureInfo.InvariantCulture, $"a number of days greater than 0, got {days}"));
        }

        return days is null || o.HasProblems ? null : new WithinDaysCondition(json.Subject, days.Value);
    }

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Activity} within {Days} days");

    internal static bool IsWithin(ActivitySignal signal, DateTimeOffset now, long windowTicks) =>
        // A timestamp ahead of now (clock skew between vendor and us) is recent, not out of window.
        signal.Count > 0 && signal.LastOccurredAt is { } at && (now - at).Ticks <= windowTicks;

    protected override Expression Test(ConditionCompiler compiler, ParameterExpression signal) =>
        Expression.Call(IsWithinMethod, signal, compiler.Now, Expression.Constant(TimeSpan.FromDays(Days).Ticks));

    protected override void WriteCanonicalProperties(Utf8JsonWriter writer)
    {
        writer.WriteString("activity", Activity);
        writer.WriteString("op", Op);
        writer.WriteNumber("value", Days);
    }
}
