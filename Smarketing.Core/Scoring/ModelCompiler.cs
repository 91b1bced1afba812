using System.Collections.Frozen;
using System.Linq.Expressions;
using System.Reflection;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring;

/// <summary>
/// Evaluates every gate, rule and required field of a model for one lead. Returns the explanation lines
/// (rules in model order, then the gates that fired); <paramref name="gated"/> says whether any gate fired
/// and bit i of <paramref name="missing"/> is set when required field i is missing.
/// </summary>
internal delegate ScoreLine[] ModelEvaluator(LeadProfile lead, DateTimeOffset now, out bool gated, out ulong missing);

/// <summary>
/// Compiles a whole model into one method, once, when the model loads. Operators, field names and operands
/// are decided here and become straight-line code: property reads, comparisons and one dictionary lookup
/// per activity, with each rule's explanation lines as constants. Scoring a lead then costs about what the
/// hand-written scoring function costs, plus the result it returns.
/// </summary>
internal static class ModelCompiler
{
    /// <summary>Up to this many values an 'in' is a chain of comparisons, which beats hashing for short lists.</summary>
    private const int MaxInlinedInValues = 8;

    private static readonly MethodInfo StringEquals =
        typeof(string).GetMethod(nameof(string.Equals), [typeof(string), typeof(string), typeof(StringComparison)])!;

    private static readonly MethodInfo IsWithinMethod =
        typeof(ModelCompiler).GetMethod(nameof(IsWithin), BindingFlags.Static | BindingFlags.NonPublic)!;

    private static readonly MethodInfo VariableLineMethod = typeof(VariableRule).GetMethod(nameof(VariableRule.Line))!;

    public static ModelEvaluator Compile(ModelDefinition model)
    {
        var context = new Context(
            Expression.Parameter(typeof(LeadProfile), "lead"),
            Expression.Parameter(typeof(DateTimeOffset), "now"));
        var gatedOut = Expression.Parameter(typeof(bool).MakeByRefType(), "gated");
        var missingOut = Expression.Parameter(typeof(ulong).MakeByRefType(), "missing");

        // Conditions first: compiling them collects the activities and field presences the model reads,
        // which the body then computes once, up front.
        var gateConditions = model.Gates.Select(g => context.Condition(g.When)).ToArray();
        var ruleLines = model.Rules.Select(context.Rule).ToArray();

        var missing = RequiredFieldsMissing(model, context);

        var variables = new List<ParameterExpression>(context.Variables);
        var body = new List<Expression>(context.Assignments);

        var gateFlags = new ParameterExpression[gateConditions.Length];
        for (var i = 0; i < gateConditions.Length; i++)
        {
            gateFlags[i] = Expression.Variable(typeof(bool), model.Gates[i].Id);
            variables.Add(gateFlags[i]);
            body.Add(Expression.Assign(gateFlags[i], gateConditions[i]));
        }

        body.Add(Expression.Assign(
            gatedOut,
            gateFlags.Length == 0 ? Expression.Constant(false) : gateFlags.Cast<Expression>().Aggregate(Expression.OrElse)));

        var lines = Expression.Variable(typeof(ScoreLine[]), "lines");
        variables.Add(lines);
        Expression length = Expression.Constant(ruleLines.Length);
        foreach (var flag in gateFlags)
        {
            length = Expression.Add(length, Expression.Condition(flag, Expression.Constant(1), Expression.Constant(0)));
        }

        body.Add(Expression.Assign(lines, Expression.NewArrayBounds(typeof(ScoreLine), length)));
        for (var i = 0; i < ruleLines.Length; i++)
        {
            // A store in each branch rather than a store of "cond ? a : b": the JIT then sees the exact type of
            // what is stored and drops the covariant array-store check it would otherwise call a helper for.
            var slot = Expression.ArrayAccess(lines, Expression.Constant(i));
            var (condition, whenTrue, whenFalse) = ruleLines[i];
            body.Add(Expression.IfThenElse(condition, Expression.Assign(slot, whenTrue), Expression.Assign(slot, whenFalse)));
        }

        if (gateFlags.Length > 0)
        {
            var at = Expression.Variable(typeof(int), "at");
            variables.Add(at);
            body.Add(Expression.Assign(at, Expression.Constant(ruleLines.Length)));
            for (var i = 0; i < gateFlags.Length; i++)
            {
                var gate = model.Gates[i];
                var line = new ScoreLine { RuleId = gate.Id, Description = gate.Reason, Points = 0, IsGate = true };
                body.Add(Expression.IfThen(
                    gateFlags[i],
                    Expression.Block(
                        Expression.Assign(Expression.ArrayAccess(lines, at), Expression.Constant(line, typeof(ScoreLine))),
                        Expression.PreIncrementAssign(at))));
            }
        }

        body.Add(Expression.Assign(missingOut, missing));
        body.Add(lines);

        return Expression.Lambda<ModelEvaluator>(
            Expression.Block(typeof(ScoreLine[]), variables, body),
            "Score_" + model.Name,
            [context.Lead, context.Now, gatedOut, missingOut]).Compile();
    }

    private static Expression RequiredFieldsMissing(ModelDefinition model, Context context)
    {
        Expression missing = Expression.Constant(0UL);
        for (var i = 0; i < model.RequiredForMql.Count; i++)
        {
            missing = Expression.Or(
                missing,
                Expression.Condition(context.Present(model.RequiredForMql[i]), Expression.Constant(0UL), Expression.Constant(1UL << i)));
        }

        return missing;
    }

    internal static bool IsWithin(ActivitySignal signal, DateTimeOffset now, long windowTicks) =>
        // A timestamp ahead of now (clock skew between vendor and us) is recent, not out of window.
        signal.Count > 0 && signal.LastOccurredAt is { } at && (now - at).Ticks <= windowTicks;

    private static BinaryExpression NumberTest(ConditionOperator op, Expression value, double? operand, double? min, double? max)
    {
        var x = Expression.Constant(operand.GetValueOrDefault());
        return op switch
        {
            ConditionOperator.GreaterThan => Expression.GreaterThan(value, x),
            ConditionOperator.GreaterOrEqual => Expression.GreaterThanOrEqual(value, x),
            ConditionOperator.LessThan => Expression.LessThan(value, x),
            ConditionOperator.LessOrEqual => Expression.LessThanOrEqual(value, x),
            ConditionOperator.EqualNumber => Expression.Equal(value, x),
            ConditionOperator.NotEqualNumber => Expression.NotEqual(value, x),
            ConditionOperator.Between => Expression.AndAlso(
                Expression.GreaterThanOrEqual(value, Expression.Constant(min.GetValueOrDefault())),
                Expression.LessThanOrEqual(value, Expression.Constant(max.GetValueOrDefault()))),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
        };
    }

    private sealed class Context(ParameterExpression lead, ParameterExpression now)
    {
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

        public ParameterExpression Present(string field)
        {
            if (!_presence.TryGetValue(field, out var variable))
            {
                variable = Expression.Variable(typeof(bool), field + "Present");
                _presence.Add(field, variable);
            }

            return variable;
        }

        public (Expression Condition, Expression WhenTrue, Expression WhenFalse) Rule(RuleDefinition rule)
        {
            var description = ConditionText.Describe(rule);
            var fired = new ScoreLine { RuleId = rule.Id, Description = description, Points = rule.Points };
            var notFired = new ScoreLine { RuleId = rule.Id, Description = description, Points = 0, Fired = false };

            if (!rule.PerOccurrence && rule.HalfLifeDays is null)
            {
                return (
                    Condition(rule.When),
                    Expression.Constant(fired, typeof(ScoreLine)),
                    Expression.Constant(notFired, typeof(ScoreLine)));
            }

            // The reader guarantees a variable rule's condition is a single activity condition.
            var activity = (ActivityCondition)rule.When;
            var signal = Signal(activity.Activity);
            return (
                Activity(activity, signal),
                Expression.Call(Expression.Constant(new VariableRule(rule, fired)), VariableLineMethod, signal, Now),
                Expression.Constant(notFired, typeof(ScoreLine)));
        }

        public Expression Condition(ConditionDefinition condition) => condition switch
        {
            AllCondition all => all.Conditions.Select(Condition).Aggregate(Expression.AndAlso),
            AnyCondition any => any.Conditions.Select(Condition).Aggregate(Expression.OrElse),
            NotCondition not => Expression.Not(Condition(not.Condition)),
            FieldCondition field => Field(field),
            ActivityCondition activity => Activity(activity, Signal(activity.Activity)),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
        };

        private ParameterExpression Signal(string activity)
        {
            if (!_signals.TryGetValue(activity, out var variable))
            {
                variable = Expression.Variable(typeof(ActivitySignal), activity);
                _signals.Add(activity, variable);
            }

            return variable;
        }

        private Expression Activity(ActivityCondition condition, ParameterExpression signal)
        {
            var count = Expression.Property(signal, nameof(ActivitySignal.Count));
            return condition.Op switch
            {
                ConditionOperator.Occurred => Expression.GreaterThan(count, Expression.Constant(0)),
                ConditionOperator.WithinDays => Expression.Call(
                    IsWithinMethod, signal, Now, Expression.Constant(TimeSpan.FromDays(condition.Number!.Value).Ticks)),
                _ => NumberTest(condition.Op, Expression.Convert(count, typeof(double)), condition.Number, condition.Min, condition.Max),
            };
        }

        private Expression Field(FieldCondition condition)
        {
            var comparison = Expression.Constant(condition.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
            switch (condition.Op)
            {
                case ConditionOperator.EqualsText:
                    return Expression.Call(StringEquals, LeadFields.ReadText(Lead, condition.Field), Expression.Constant(condition.Text), comparison);

                case ConditionOperator.In:
                    {
                        var comparer = condition.IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
                        var values = condition.Values!.Distinct(comparer).ToArray();
                        var value = Expression.Variable(typeof(string), condition.Field);
                        var test = values.Length <= MaxInlinedInValues
                            ? values.Select(v => (Expression)Expression.Call(StringEquals, value, Expression.Constant(v), comparison)).Aggregate(Expression.OrElse)
                            : Expression.Call(
                                Expression.Constant(values.ToFrozenSet(comparer)),
                                typeof(FrozenSet<string>).GetMethod(nameof(FrozenSet<string>.Contains))!,
                                value);
                        return Expression.Block(
                            [value],
                            Expression.Assign(value, LeadFields.ReadText(Lead, condition.Field)),
                            Expression.AndAlso(Expression.NotEqual(value, Expression.Constant(null, typeof(string))), test));
                    }

                case ConditionOperator.Present:
                    return Present(condition.Field);

                case ConditionOperator.Missing:
                    return Expression.Not(Present(condition.Field));

                default:
                    return LeadFields.TestNumber(Lead, condition.Field, v => NumberTest(condition.Op, v, condition.Number, condition.Min, condition.Max));
            }
        }
    }
}
