using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring;

/// <summary>
/// The runtime half of a per-occurrence or decaying rule: its points depend on the lead's activity, so its
/// line is built per lead, except when the points come out at the nominal value and the cached line serves.
/// </summary>
internal sealed class VariableRule(RuleDefinition rule, ScoreLine fired)
{
    private readonly int _points = rule.Points;
    private readonly bool _perOccurrence = rule.PerOccurrence;
    private readonly long _cap = rule.Cap ?? long.MaxValue;
    private readonly double? _halfLifeDays = rule.HalfLifeDays;

    public ScoreLine Line(ActivitySignal signal, DateTimeOffset now)
    {
        var earned = Earned(signal, now, _points, _perOccurrence, _cap, _halfLifeDays);
        return earned == _points ? fired : fired with { Points = earned };
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
}
