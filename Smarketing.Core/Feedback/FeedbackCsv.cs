using System.Globalization;
using System.Text;

namespace Smarketing.Core.Feedback;

/// <summary>
/// The CSV export of <c>DisqualificationFeedback</c> rows (RFC 4180: comma-separated, CRLF line ends, fields with a comma,
/// quote or line break quoted, quotes doubled), one row per disqualification, for a warehouse or a spreadsheet.
/// </summary>
public static class FeedbackCsv
{
    /// <summary>The header line's columns, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "disqualified_at", "campaign", "lead_id", "cycle", "from_status", "reason_code", "reason_category",
        "reason_label", "score", "model_version", "source", "rep", "note",
    ];

    /// <summary>The header line, with its line end.</summary>
    public static string Header { get; } = string.Join(',', Columns) + "\r\n";

    /// <summary>One row as a CSV line, with its line end.</summary>
    public static string Line(DisqualificationFeedback row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var sb = new StringBuilder(256);
        Append(sb, row.DisqualifiedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture), first: true);
        Append(sb, row.Campaign);
        Append(sb, row.LeadId);
        Append(sb, row.Cycle.ToString(CultureInfo.InvariantCulture));
        Append(sb, row.FromStatus);
        Append(sb, row.ReasonCode);
        Append(sb, row.ReasonCategory);
        Append(sb, row.ReasonLabel);
        Append(sb, row.Score.ToString(CultureInfo.InvariantCulture));
        Append(sb, row.ModelVersion);
        Append(sb, row.Source);
        Append(sb, row.Rep);
        Append(sb, Neutralize(row.Note));
        return sb.Append("\r\n").ToString();
    }

    /// <summary>
    /// A rep's note opened in a spreadsheet must not run as a formula: a note starting with <c>= + - @</c>, a tab or a
    /// carriage return gets a leading apostrophe. Only the free-text note is touched; ids and codes stay exact.
    /// </summary>
    public static string? Neutralize(string? note) =>
        note is { Length: > 0 } && note[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + note : note;

    private static void Append(StringBuilder sb, string? value, bool first = false)
    {
        if (!first)
        {
            sb.Append(',');
        }

        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            sb.Append(value);
            return;
        }

        sb.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
