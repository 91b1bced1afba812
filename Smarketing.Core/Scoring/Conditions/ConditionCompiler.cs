using System.Linq.Expressions;
using System.Reflection;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// What a condition compiles against: the lead and the clock of the model's one compiled method, and the values
/// it computes once, up front, for every condition that reads them.
/// </summary>
internal sealed class ConditionCompiler(ParameterExpression lead, ParameterExpression now)
{
    public static readonly MethodInfo StringEquals =
        typeof(string).GetMethod(nameof(string.Equals), [typeof(string), typeof(string), typeof(StringComparison)])!;

    // Each activity is looked up, and each field's presence checked, once per lead however many rules,
    // gates and required fields use it. Keyed ordinally: two spellings of one activity cost a second
    // lookup at worst, never a wrong answer, whatever comparer the lead's dictionary has.
    private readonly Dictionary<string, ParameterExpression> _signals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParameterExpression> _presence = new(StringComparer.Ordinal);

    public ParameterExpression Lead { get; } = lead;

    public ParameterExpression Now { get; } = now;

    public IEnumerable<ParameterExpression> Variables => _signals.Values.Concat(_presence.Values);

    public IEnumerable<Expression> Assignments =>
        _signals.Select(s => (Expression)Expression.Assign(s.Value, LeadFields.ReadSignal(Lead, s.Key)))
            .Concat(_presence.Select(p => Expression.Assign(p.Value, LeadFields.IsPresent(Lead, p.Key))));

    /// <summary>Whether the lead has the field, computed once per lead.</summary>
    public ParameterExpression Present(string field)
    {
        if (!_presence.TryGetValue(field, out var variable))
        {
            variable = Expression.Variable(typeof(bool), field + "Present");
            _presence.Add(field, variable);
        }

        return variable;
    }

    /// <summary>The lead's <see cref="ActivitySignal"/> for the activity, looked up once per lead.</summary>
    public ParameterExpression Signal(string activity)
    {
        if (!_signals.TryGetValue(activity, out var variable))
        {
            variable = Expression.Variable(typeof(ActivitySignal), activity);
            _signals.Add(activity, variable);
        }

        return variable;
    }
}
