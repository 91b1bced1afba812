namespace Smarketing.Core.Contracts;

/// <summary>
/// The one reading of a list setting (secrets, reps, countries, org ids, protected stages): comma-separated, each item
/// trimmed, empty items dropped. Items may contain spaces ("Financial Services"), so only the comma separates.
/// </summary>
public static class ListSetting
{
    /// <summary>The items of <paramref name="value"/>; an empty list for null or blank.</summary>
    public static IReadOnlyList<string> Parse(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
