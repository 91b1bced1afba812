namespace Smarketing.Core.Leads;

/// <summary>Conversions between <see cref="LeadStatus"/> and its wire spelling.</summary>
public static class LeadStatusNames
{
    private static readonly string[] Names = ["NEW", "MQL", "SAL", "SQL", "CLOSED_WON", "CLOSED_LOST", "DISQUALIFIED"];

    /// <summary>Every status's wire spelling, in contract order.</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Names);

    /// <summary>The wire spelling of a status, e.g. <c>CLOSED_WON</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a status of the contract.</exception>
    public static string ToWire(this LeadStatus status) => (uint)status < (uint)Names.Length
        ? Names[(int)status]
        : throw new ArgumentOutOfRangeException(nameof(status), status, "Not a status of the lifecycle contract.");

    /// <summary>The wire spelling, or a description of a value that is no status, for messages that must not throw.</summary>
    internal static string Describe(this LeadStatus status) => (uint)status < (uint)Names.Length
        ? Names[(int)status]
        : $"undefined status {(int)status}";

    /// <summary>Parses a wire spelling (exact, case-sensitive as the contract spells it).</summary>
    public static bool TryParse(string? value, out LeadStatus status)
    {
        var index = Array.IndexOf(Names, value);
        status = index < 0 ? default : (LeadStatus)index;
        return index >= 0;
    }
}
