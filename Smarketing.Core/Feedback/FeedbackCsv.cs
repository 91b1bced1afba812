using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Smarketing.Core.Feedback;

/// <summary>
/// The CSV export of <c>DisqualificationFeedback</c> rows (RFC 4180 as CsvHelper writes it: comma-separated, CRLF line
/// ends, fields with a comma, quote or line break quoted, quotes doubled), one row per disqualification, for a warehouse
/// or a spreadsheet. Every text column comes from webhooks or CRM feedback, so by default each is neutralised for
/// spreadsheets (<see cref="Neutralize"/>); a machine consumer asks for the values as stored.
/// </summary>
public static class FeedbackCsv
{
    /// <summary>The header line's columns, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "disqualified_at", "campaign", "lead_id", "cycle", "from_status", "reason_code", "reason_category",
        "reason_label", "score", "model_version", "source", "rep", "note",
    ];

    // Injection is handled per text column (Neutralize): CsvHelper's own option would also touch a negative score.
    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture)
    {
        InjectionOptions = InjectionOptions.None,
    };

    /// <summary>Writes the header and one line per row as they are read; <paramref name="raw"/> leaves text columns as stored.</summary>
    public static async Task WriteAsync(TextWriter writer, IAsyncEnumerable<DisqualificationFeedback> rows, bool raw, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await using var csv = new CsvWriter(writer, Configuration, leaveOpen: true);
        foreach (var column in Columns)
        {
            csv.WriteField(column);
        }

        await csv.NextRecordAsync();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            WriteRow(csv, row, raw);
            await csv.NextRecordAsync();
        }

        await csv.FlushAsync();
    }

    /// <summary>One row as a CSV line, with its line end.</summary>
    public static string Line(DisqualificationFeedback row, bool raw = false)
    {
        ArgumentNullException.ThrowIfNull(row);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, Configuration, leaveOpen: true))
        {
            WriteRow(csv, row, raw);
            csv.NextRecord();
        }

        return text.ToString();
    }

    /// <summary>
    /// A value opened in a spreadsheet must not run as a formula (OWASP's CSV injection guidance): a value whose first
    /// character other than a space is <c>= + - @</c> (or their full-width forms), a tab, a carriage return or a line feed
    /// gets a leading apostrophe, which spreadsheets show as text and do not display.
    /// </summary>
    public static string? Neutralize(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        var first = value.AsSpan().TrimStart(' ');
        return first.Length > 0 && first[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' or '＝' or '＋' or '－' or '＠'
            ? "'" + value
            : value;
    }

    private static void WriteRow(CsvWriter csv, DisqualificationFeedback row, bool raw)
    {
        string? Text(string? value) => raw ? value : Neutralize(value);

        csv.WriteField(row.DisqualifiedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        csv.WriteField(Text(row.Campaign));
        csv.WriteField(Text(row.LeadId));
        csv.WriteField(row.Cycle.ToString(CultureInfo.InvariantCulture));
        csv.WriteField(Text(row.FromStatus));
        csv.WriteField(Text(row.ReasonCode));
        csv.WriteField(Text(row.ReasonCategory));
        csv.WriteField(Text(row.ReasonLabel));
        csv.WriteField(row.Score.ToString(CultureInfo.InvariantCulture));
        csv.WriteField(Text(row.ModelVersion));
        csv.WriteField(Text(row.Source));
        csv.WriteField(Text(row.Rep));
        csv.WriteField(Text(row.Note));
    }
}
