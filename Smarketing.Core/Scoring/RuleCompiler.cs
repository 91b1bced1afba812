using System.Globalization;
using System.Text;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring;

/// <summary>
/// Compiles a rule into a delegate that returns its explanation line for a lead. Both lines of a fixed-point
/// rule (fired and not fired) are built here, once, so scoring with such a rule allocates nothing; only a
/// per-occurrence or decaying rule whose points differ from its nominal points builds a line per lead.
/// </summary>
internal static class RuleCompiler
{
    public static Func<LeadProfile, DateTimeOffset, ScoreLine> Compile(RuleDefinition rule)
    {
        var description = rule.Description ?? Describe(rule);
        var fired = new ScoreLine { RuleId = rule.Id, Description = description, Points = rule.Points };
        var notFired = new ScoreLine { RuleId = rule.Id, Description = description, Points = 0, Fired = false };

        if (!rule.PerOccurrence && rule.HalfLifeDays is null)
        {
            var condition = ConditionCompiler.Compile(rule.When);
            return (lead, now) => condition(lead, now) ? fired : notFired;
        }

        // The reader guarantees a variable rule's condition is a single activity condition.
        var activity = (ActivityCondition)rule.When;
        var name = activity.Activity;
        var test = ConditionCompiler.CompileSignal(activity);
        var points = rule.Points;
        var perOccurrence = rule.PerOccurrence;
        long cap = rule.Cap ?? long.MaxValue;
        var halfLife = rule.HalfLifeDays;
        return (lead, now) =>
        {
            var signal = ConditionCompiler.Signal(lead, name);
            if (!test(signal, now))
            {
                return notFired;
            }

            var earned = Earned(signal, now, points, perOccurrence, cap, halfLife);
            return earned == points ? fired : fired with { Points = earned };
        };
    }

    /// <summary>
    /// Points × count (per occurrence), bounded by the cap, then faded by the age of the last occurrence:
    /// the cap is what the rule is worth fresh, and decay fades what was earned. An activity with no time
    /// does not decay, and one stamped after <paramref name="now"/> counts as fresh.
    /// </summary>
    internal static int Earned(ActivitySignal signal, DateTimeOffset now, int points, bool perOccurrence, long cap, double? halfLifeDays)
    {
        var raw = perOccurrence ? (long)points * signal.Count : points;
        raw = Math.Clamp(raw, -cap, cap);
        if (halfLifeDays is not { } halfLife || signal.LastOccurredAt is not { } at)
        {
            return (int)Math.Clamp(raw, int.MinValue, int.MaxValue);
        }

        var ageDays = Math.Max(0, (now - at).TotalDays);
        var decayed = Math.Round(raw * Math.Pow(0.5, ageDays / halfLife), MidpointRounding.AwayFromZero);
        return (int)Math.Clamp(decayed, int.MinValue, int.MaxValue);
    }

    private static string Describe(RuleDefinition rule)
    {
        var text = new StringBuilder(ConditionCompiler.Describe(rule.When));
        if (rule.PerOccurrence)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {rule.Points} per occurrence");
        }

        if (rule.Cap is { } cap)
        {
            text.Append(CultureInfo.InvariantCulture, $", capped at {cap}");
        }

        if (rule.HalfLifeDays is { } halfLife)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(rule.PerOccurrence ? "," : ";")} halving every {halfLife} days");
        }

        return text.ToString();
    }
}
