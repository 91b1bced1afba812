using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using CsvHelper;
using CsvHelper.Configuration;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Intake;

namespace Smarketing.Core.Imports;

/// <summary>
/// Reads an uploaded lead list row by row into bodies that <see cref="LeadSubmissionParser.TryParse"/> validates, with
/// bounded memory whatever the file's size. A bad row becomes an <see cref="ImportRecord"/> with its errors and never stops
/// the others. CSV is read by CsvHelper (RFC 4180: quoted fields with commas, doubled quotes and line breaks; CRLF or LF),
/// as strict UTF-8 with or without a byte order mark.
/// </summary>
public static class ImportReader
{
    /// <summary>The most columns a CSV header may have.</summary>
    public const int MaxColumns = 200;

    /// <summary>The longest CSV field, in characters; a longer one rejects its row.</summary>
    public const int MaxFieldChars = 4 * 1024;

    /// <summary>
    /// The longest CSV row, in characters (a quoted line break included): a longer row is rejected and never held whole,
    /// which also bounds an unclosed quote that would make the rest of the file one field.
    /// </summary>
    public const int MaxRowChars = 64 * 1024;

    /// <summary>The longest JSON line, in bytes (the generic lead webhook's own body cap); a longer line is rejected.</summary>
    public const int MaxLineBytes = 64 * 1024;

    /// <summary>The error key of a problem with a row (or line) as a whole, as for a JSON body.</summary>
    public const string RowKey = "$";

    private const string NotUtf8 = "Is not valid UTF-8: save the file as UTF-8 (\"CSV UTF-8\" in Excel).";
    private const string StrayQuote = "The row has a stray or unclosed quote: a field with a quote, comma or line break must be quoted whole, its quotes doubled (RFC 4180).";

    /// <summary>
    /// Reads the header row (CSV) or the first non-blank line (JSON Lines) and checks it: not empty, UTF-8, no two columns
    /// giving one field, and (CSV) a column giving <c>email</c>, at most <see cref="MaxColumns"/> columns. Returns null with
    /// <paramref name="error"/> naming every problem when the file cannot be imported.
    /// </summary>
    public static ImportHeader? ReadHeader(Stream stream, ImportFormat format, ImportMapping mapping, out string? error)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mapping);
        if (format == ImportFormat.Csv)
        {
            using var csv = new CsvSource(stream);
            if (!csv.Parser.Read())
            {
                error = "The file is empty: its first row must name the columns.";
                return null;
            }

            return CsvHeader(csv, mapping, out error);
        }

        var lines = new JsonLineSplitter(stream);
        while (lines.Next())
        {
            if (IsBlank(lines.Line.Span) && !lines.TooLong)
            {
                continue;
            }

            var errors = new FieldErrors();
            var body = JsonLine(lines, mapping, errors, out var keys);
            if (body is null)
            {
                error = $"Line {lines.Number} is not a lead: {errors}";
                return null;
            }

            var fields = keys.Select(mapping.FieldFor).ToList();
            error = null;
            return new ImportHeader(keys, fields, [.. keys.Where((_, i) => fields[i] is null)]);
        }

        error = "The file is empty: it needs one JSON object per line.";
        return null;
    }

    /// <summary>
    /// Streams every data row. CSV: <see cref="ImportRecord.Row"/> is the row as a spreadsheet numbers it (the header is row
    /// 1, a quoted field with line breaks is one row, a blank row is counted and skipped); a header that
    /// <see cref="ReadHeader"/> refuses gives one record for row 1 with the reason, and nothing else. JSON Lines: the line
    /// number, every line a lead (blank lines counted and skipped). Only one row is held at a time.
    /// </summary>
    public static IAsyncEnumerable<ImportRecord> ReadAsync(Stream stream, ImportFormat format, ImportMapping mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(mapping);
        return format == ImportFormat.Csv ? ReadCsvAsync(stream, mapping, cancellationToken) : ReadJsonLinesAsync(stream, mapping, cancellationToken);
    }

    private static async IAsyncEnumerable<ImportRecord> ReadCsvAsync(Stream stream, ImportMapping mapping, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var csv = new CsvSource(stream);
        if (!await csv.Parser.ReadAsync())
        {
            yield break;
        }

        var header = CsvHeader(csv, mapping, out var headerError);
        if (header is null)
        {
            yield return new ImportRecord(1, null, Error(RowKey, headerError!));
            yield break;
        }

        while (await csv.Parser.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cells = csv.Parser.Record ?? [];
            var badData = csv.TakeBadData();
            if (!badData && cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            var errors = CheckRow(cells, header, badData);
            yield return errors.IsEmpty
                ? new ImportRecord(csv.Parser.Row, CsvBody(cells, header.Fields), null)
                : new ImportRecord(csv.Parser.Row, null, errors);
        }
    }

    private static async IAsyncEnumerable<ImportRecord> ReadJsonLinesAsync(Stream stream, ImportMapping mapping, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = new JsonLineSplitter(stream);
        while (await lines.NextAsync(cancellationToken))
        {
            if (IsBlank(lines.Line.Span) && !lines.TooLong)
            {
                continue;
            }

            var errors = new FieldErrors();
            var body = JsonLine(lines, mapping, errors, out _);
            yield return new ImportRecord(lines.Number, body, body is null ? errors : null);
        }
    }

    private static ImportHeader? CsvHeader(CsvSource csv, ImportMapping mapping, out string? error)
    {
        var raw = csv.Parser.Record ?? [];
        var problems = new List<string>();
        if (raw.Any(c => CsvSourceReader.Holds(c, CsvSourceReader.Truncated)))
        {
            problems.Add($"The header row is longer than {MaxRowChars} characters.");
        }

        if (raw.Any(c => CsvSourceReader.Holds(c, CsvSourceReader.InvalidUtf8)))
        {
            problems.Add("The header row is not valid UTF-8: save the file as UTF-8 (\"CSV UTF-8\" in Excel).");
        }

        if (csv.TakeBadData())
        {
            problems.Add("The header row has a stray or unclosed quote.");
        }

        if (raw.Length > MaxColumns)
        {
            problems.Add($"The header has {raw.Length} columns; at most {MaxColumns} are read.");
        }

        if (problems.Count > 0)
        {
            error = string.Join(" ", problems);
            return null;
        }

        var columns = raw.Select(c => c.Trim()).ToList();
        var fields = columns.Select(c => c.Length == 0 ? null : mapping.FieldFor(c)).ToList();
        var byField = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            if (fields[i] is { } field && !byField.TryAdd(field, columns[i]))
            {
                problems.Add($"The columns '{SensitiveText.Echo(byField[field])}' and '{SensitiveText.Echo(columns[i])}' both give {field}: drop one, or map one away (e.g. '{SensitiveText.Echo(columns[i])}=').");
            }
        }

        if (!byField.ContainsKey("email"))
        {
            problems.Add("No column gives email: name it Email or Email Address, or map the column that holds the address (e.g. 'E-mail=email').");
        }

        error = problems.Count > 0 ? string.Join(" ", problems) : null;
        return problems.Count > 0 ? null : new ImportHeader(columns, fields, [.. columns.Where((_, i) => fields[i] is null)]);
    }

    private static FieldErrors CheckRow(string[] cells, ImportHeader header, bool badData)
    {
        var errors = new FieldErrors();
        if (cells.Any(c => CsvSourceReader.Holds(c, CsvSourceReader.Truncated)))
        {
            errors.Add(RowKey, $"The row is longer than {MaxRowChars} characters (an unclosed quote makes the rest of the file one field).");
            return errors;
        }

        if (badData)
        {
            errors.Add(RowKey, StrayQuote);
        }

        if (cells.Length != header.Columns.Count)
        {
            errors.Add(RowKey, $"The row has {cells.Length} fields, the header has {header.Columns.Count}.");
            return errors;
        }

        for (var i = 0; i < cells.Length; i++)
        {
            var column = header.Columns[i].Length > 0 ? header.Columns[i] : $"column {i + 1}";
            if (CsvSourceReader.Holds(cells[i], CsvSourceReader.InvalidUtf8))
            {
                errors.Add(column, NotUtf8);
            }
            else if (cells[i].Length > MaxFieldChars)
            {
                errors.Add(column, $"Is longer than {MaxFieldChars} characters.");
            }
        }

        return errors;
    }

    private static JsonObject CsvBody(string[] cells, IReadOnlyList<string?> fields)
    {
        var body = new JsonObject();
        for (var i = 0; i < cells.Length; i++)
        {
            var text = cells[i].Trim();
            if (fields[i] is not { } field || text.Length == 0)
            {
                continue;
            }

            JsonNode? value = field switch
            {
                "companySize" => VendorLeadAdapter.SizeFromText(text),
                _ when field.StartsWith(ImportMapping.ActionsPrefix, StringComparison.Ordinal) => VendorLeadAdapter.ActivityFromText(text),
                _ => text,
            };
            Put(body, field, value, new FieldErrors());
        }

        return body;
    }

    private static JsonObject? JsonLine(JsonLineSplitter lines, ImportMapping mapping, FieldErrors errors, out List<string> keys)
    {
        keys = [];
        if (lines.TooLong)
        {
            errors.Add(RowKey, $"The line is longer than {MaxLineBytes} bytes.");
            return null;
        }

        if (!Utf8.IsValid(lines.Line.Span))
        {
            errors.Add(RowKey, "The line is not valid UTF-8.");
            return null;
        }

        if (!JsonObjectBody.TryParse(lines.Line, errors, out var document))
        {
            return null;
        }

        using (document)
        {
            var body = new JsonObject();
            var byField = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                keys.Add(property.Name);
                if (mapping.FieldFor(property.Name) is not { } field)
                {
                    continue;
                }

                if (!byField.TryAdd(field, property.Name))
                {
                    errors.Add(field, $"Given twice, by '{SensitiveText.Echo(byField[field])}' and '{SensitiveText.Echo(property.Name)}'.");
                    continue;
                }

                Put(body, field, JsonSerializer.SerializeToNode(property.Value), errors);
            }

            return errors.IsEmpty ? body : null;
        }
    }

    // actions.<name> and attributes.<name> go into their object, merged with a whole actions / attributes object if one is given.
    private static void Put(JsonObject body, string field, JsonNode? value, FieldErrors errors)
    {
        foreach (var prefix in (ReadOnlySpan<string>)[ImportMapping.ActionsPrefix, ImportMapping.AttributesPrefix])
        {
            var container = prefix[..^1];
            if (field.StartsWith(prefix, StringComparison.Ordinal))
            {
                Into(body, container, errors).Add(field, field[prefix.Length..], value, errors);
                return;
            }

            if (field == container && value is JsonObject given && body[container] is JsonObject)
            {
                var target = Into(body, container, errors);
                foreach (var (name, item) in given.ToList())
                {
                    given.Remove(name);
                    target.Add(container + "." + name, name, item, errors);
                }

                return;
            }
        }

        body[field] = value;
    }

    private static JsonObject Into(JsonObject body, string container, FieldErrors errors)
    {
        if (body[container] is JsonObject existing)
        {
            return existing;
        }

        if (body.ContainsKey(container))
        {
            errors.Add(container, "Must be an object.");
        }

        var created = new JsonObject();
        body[container] = created;
        return created;
    }

    private static void Add(this JsonObject target, string path, string name, JsonNode? value, FieldErrors errors)
    {
        if (!target.TryAdd(name, value))
        {
            errors.Add(path, "Is given twice.");
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    private static FieldErrors Error(string field, string message)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return errors;
    }

    /// <summary>A CsvHelper parser over <see cref="CsvSourceReader"/>, remembering CsvHelper's "bad data" (a stray quote) per row.</summary>
    private sealed class CsvSource : IDisposable
    {
        private bool _badData;

        public CsvSource(Stream stream)
        {
            var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
            {
                // Blank rows are counted (a spreadsheet numbers them) and skipped here.
                IgnoreBlankLines = false,
                BadDataFound = _ => _badData = true,
            };
            Parser = new CsvParser(new CsvSourceReader(stream, MaxRowChars), configuration, leaveOpen: false);
        }

        public CsvParser Parser { get; }

        public bool TakeBadData()
        {
            var bad = _badData;
            _badData = false;
            return bad;
        }

        public void Dispose() => Parser.Dispose();
    }
}
