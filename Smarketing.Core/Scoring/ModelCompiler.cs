using System.Linq.Expressions;
using System.Reflection;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring.Conditions;

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
    private static readonly MethodInfo VariableLineMethod = typeof(VariableRule).GetMethod(nameof(VariableRule.Line))!;

    public static ModelEvaluator Compile(ModelDefinition model)
    {
        var compiler = new ConditionCompiler(
            Expression.Parameter(typeof(LeadProfile), "lead"),
            Expression.Parameter(typeof(DateTimeOffset), "now"));
        var gatedOut = Expression.Parameter(typeof(bool).MakeByRefType(), "gated");
        var missingOut = Expression.Parameter(typeof(ulong).MakeByRefType(), "missing");

        // Conditions first: compiling them collects the activities and field presences the model reads,
        // which the body then computes once, up front.
        var gateConditions = model.Gates.Select(g => g.When.Compile(compiler)).ToArray();
        var ruleLines = model.Rules.Select(r => Rule(r, compiler)).ToArray();

        var missing = RequiredFieldsMissing(model, compiler);

        var variables = new List<ParameterExpression>(compiler.Variables);
        var body = new List<Expression>(compiler.Assignments);

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
            [compiler.Lead, compiler.Now, gatedOut, missingOut]).Compile();
    }

    private static Expression RequiredFieldsMissing(ModelDefinition model, ConditionCompiler compiler)
    {
        Expression missing = Expression.Constant(0UL);
        for (var i = 0; i < model.RequiredForMql.Count; i++)
        {
            missing = Expression.Or(
                missing,
                Expression.Condition(compiler.Present(model.RequiredForMql[i]), Expression.Constant(0UL), Expression.Constant(1UL << i)));
        }

        return missing;
    }

    private static (Expression Condition, Expression WhenTrue, Expression WhenFalse) Rule(RuleDefinition rule, ConditionCompiler compiler)
    {
        var description = rule.Describe();
        var fired = new ScoreLine { RuleId = rule.Id, Description = description, Points = rule.Points };
        var notFired = new ScoreLine { RuleId = rule.Id, Description = description, Points = 0, Fired = false };

        if (!rule.PerOccurrence && rule.HalfLifeDays is null)
        {
            return (
                rule.When.Compile(compiler),
                Expression.Constant(fired, typeof(ScoreLine)),
                Expression.Constant(notFired, typeof(ScoreLine)));
        }

        // The reader guarantees a variable rule's condition is a single activity condition.
        var activity = (ActivityCondition)rule.When;
        var signal = compiler.Signal(activity.Activity);
        return (
            activity.Compile(compiler),
            Expression.Call(Expression.Constant(new VariableRule(rule, fired)), VariableLineMethod, signal, compiler.Now),
            Expression.Constant(notFired, typeof(ScoreLine)));
    }
}
