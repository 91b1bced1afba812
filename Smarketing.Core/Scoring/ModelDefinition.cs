using System.Globalization;
using System.Text;
using Smarketing.Core.Scoring.Conditions;

namespace Smarketing.Core.Scoring;

// The validated, parsed form of a scoring model file. It is what the compiler compiles and what the
// version hashes: hashing this rather than the raw text is what makes whitespace, property order,
// comments and spelled-out defaults irrelevant to the version.

internal sealed record ModelDefinition(
    string Name,
    string? Description,
    int Threshold,
    IReadOnlyList<string> RequiredForMql,
    IReadOnlyList<RuleDefinition> Rules,
    IReadOnlyList<GateDefinition> Gates);

internal sealed record RuleDefinition(
    string Id,
    string? Description,
    Condition When,
    int Points,
    bool PerOccurrence,
    int? Cap,
    double? HalfLifeDays)
{
    /// <summary>The text of the rule's explanation lines: its description, or one generated from its condition and modifiers.</summary>
    public string Describe()
    {
        if (Description is not null)
        {
            return Description;
        }

        var text = new StringBuilder(When.Describe());
        if (PerOccurrence)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {Points} per occurrence");
        }

        if (Cap is { } cap)
        {
            text.Append(CultureInfo.InvariantCulture, $", capped at {cap}");
        }

        if (HalfLifeDays is { } halfLife)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(PerOccurrence ? "," : ";")} halving every {halfLife} days");
        }

        return text.ToString();
    }
}

internal sealed record GateDefinition(string Id, string Reason, Condition When);
