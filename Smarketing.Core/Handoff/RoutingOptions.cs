using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Handoff;

/// <summary>Owner routing (section <c>Routing</c>): territory rules, then round-robin over the default reps.</summary>
public sealed class RoutingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Routing";

    /// <summary>Comma-separated CRM user ids of the reps who get unowned leads, in round-robin order.</summary>
    public string? Reps { get; set; }

    /// <summary>Comma-separated reps who get no leads for now (holiday, left the team), wherever they are listed.</summary>
    public string? InactiveReps { get; set; }

    /// <summary>
    /// How many cursor rows each pool's rotation is split into (1–64): more shards mean fewer conflicting writes
    /// between concurrent handoffs and a looser fairness bound (two reps' counts differ by at most S − ⌊S/n⌋).
    /// </summary>
    public int CursorShards { get; set; } = OwnerRouting.DefaultCursorShards;

    /// <summary>Territory rules, tried in order before the default reps.</summary>
    public List<TerritoryOptions> Territories { get; set; } = [];

    /// <summary><see cref="Reps"/> as a list.</summary>
    public IReadOnlyList<string> RepList => ListSetting.Parse(Reps);

    /// <summary><see cref="InactiveReps"/> as a list.</summary>
    public IReadOnlyList<string> InactiveRepList => ListSetting.Parse(InactiveReps);

    /// <summary>The routing these settings describe.</summary>
    public OwnerRouting ToRouting() => new(
        RepList,
        InactiveRepList,
        [.. Territories.Select(t => new Territory
        {
            Name = t.Name!.Trim(),
            Countries = ListSetting.Parse(t.Countries),
            Industries = ListSetting.Parse(t.Industries),
            Reps = ListSetting.Parse(t.Reps),
        })],
        CursorShards);
}

/// <summary>One territory rule (section <c>Routing:Territories:N</c>).</summary>
public sealed class TerritoryOptions
{
    /// <summary>The territory's name, unique; it keys the territory's round-robin cursor.</summary>
    public string? Name { get; set; }

    /// <summary>Comma-separated countries (as leads send them, e.g. ISO codes), compared case-insensitively.</summary>
    public string? Countries { get; set; }

    /// <summary>Comma-separated industries, compared case-insensitively.</summary>
    public string? Industries { get; set; }

    /// <summary>Comma-separated CRM user ids of the territory's reps, in round-robin order.</summary>
    public string? Reps { get; set; }
}

internal sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    private const int MaxCursorShards = 64;

    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var failures = new List<string>();
        var reps = options.RepList;
        if (reps.Count == 0)
        {
            failures.Add("Setting Routing:Reps (Routing__Reps) must list at least one CRM user id, comma-separated, for leads that arrive without an owner.");
        }

        Duplicates(reps, "Routing:Reps", failures);
        var inactive = options.InactiveRepList;
        if (reps.Count > 0 && reps.All(inactive.Contains))
        {
            failures.Add("Setting Routing:InactiveReps marks every rep of Routing:Reps inactive; at least one must stay active for leads no territory takes.");
        }

        if (options.CursorShards is < 1 or > MaxCursorShards)
        {
            failures.Add($"Setting Routing:CursorShards (Routing__CursorShards) must be between 1 and {MaxCursorShards}; it is {options.CursorShards}.");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var everyRep = new HashSet<string>(reps, StringComparer.Ordinal);
        for (var i = 0; i < options.Territories.Count; i++)
        {
            var t = options.Territories[i];
            var s = $"Routing:Territories:{i}";
            if (string.IsNullOrWhiteSpace(t.Name))
            {
                failures.Add($"Setting {s}:Name is required (it keys the territory's round-robin cursor).");
            }
            else if (!names.Add(t.Name.Trim()) || string.Equals(t.Name.Trim(), RepPool.DefaultName, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"Setting {s}:Name ('{t.Name}') is used twice or is the reserved name '{RepPool.DefaultName}'.");
            }

            if (ListSetting.Parse(t.Countries).Count == 0 && ListSetting.Parse(t.Industries).Count == 0)
            {
                failures.Add($"Setting {s} needs Countries or Industries (or both): a territory without a criterion would take every lead.");
            }

            var territoryReps = ListSetting.Parse(t.Reps);
            if (territoryReps.Count == 0)
            {
                failures.Add($"Setting {s}:Reps must list at least one CRM user id.");
            }

            Duplicates(territoryReps, $"{s}:Reps", failures);
            everyRep.UnionWith(territoryReps);
        }

        foreach (var rep in inactive.Where(r => !everyRep.Contains(r)))
        {
            failures.Add($"Setting Routing:InactiveReps names '{rep}', who is in no list of reps (a typo would leave the real rep active).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Duplicates(IReadOnlyList<string> reps, string setting, List<string> failures)
    {
        var duplicate = reps.GroupBy(r => r, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            failures.Add($"Setting {setting} names rep '{duplicate.Key}' twice.");
        }
    }
}
