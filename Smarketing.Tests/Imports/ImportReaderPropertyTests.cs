using System.Globalization;
using System.Text;
using CsCheck;
using CsvHelper;
using CsvHelper.Configuration;
using Smarketing.Core.Imports;
using Xunit;

namespace Smarketing.Tests.Imports;

/// <summary>
/// Properties of the CSV reading against RFC 4180 text: any cells (quotes, commas, CR, LF, accents, emoji) come back as
/// written, row numbers stay right, and a row cut at the row limit never shifts the rows after it. (The files are written
/// here, not by CsvWriter: with a NewLine set it quotes only fields holding that exact line end, so a lone CR goes out bare.)
/// </summary>
public sealed class ImportReaderPropertyTests
{
    private static readonly Gen<string> Cell =
        Gen.OneOfConst("a", "b", " ", "\"", ",", "\r", "\n", "\r\n", "\"\"", "\u00e9", "\U0001F600", "x,y", "'").Array[0, 12].Select(string.Concat);

    private static readonly Gen<string> CellWithoutPairs =
        Gen.OneOfConst("a", "b", " ", "\"", ",", "\r", "\n", "\r\n", "\"\"", "\u00e9", "x,y").Array[0, 30].Select(string.Concat);

    [Fact]
    public void ReadAsync_AnyCellsCsvHelperWrites_ComeBackTrimmedWithTheirRowNumbers()
    {
        Gen.Select(Gen.Select(Cell, Cell).Array[1, 15], Gen.Bool, Gen.Bool).Sample(t =>
        {
            var (rows, crlf, bom) = t;
            var csv = Write(["attributes.a", "attributes.b", "email"], rows.Select(r => new[] { r.Item1, r.Item2, "x@example.com" }), crlf);
            var bytes = Encoding.UTF8.GetBytes(csv);
            var stream = new MemoryStream(bom ? [.. Encoding.UTF8.Preamble, .. bytes] : bytes);

            var records = ImportReader.ReadAsync(stream, ImportFormat.Csv, ImportMapping.Default, CancellationToken.None).ToBlockingEnumerable().ToList();

            Assert.Equal(Enumerable.Range(2, rows.Length).Select(i => (long)i), records.Select(r => r.Row));
            for (var i = 0; i < rows.Length; i++)
            {
                var attributes = records[i].Body!["attributes"];
                Assert.Equal(Expected(rows[i].Item1), attributes?["a"]?.GetValue<string>());
                Assert.Equal(Expected(rows[i].Item2), attributes?["b"]?.GetValue<string>());
            }
        }, iter: 500);
    }

    [Fact]
    public void CsvSourceReader_RowsOverTheLimit_CutAndTheOthersIntact()
    {
        const int max = 40;
        Gen.Select(Gen.Select(CellWithoutPairs, CellWithoutPairs).Array[1, 12], Gen.Bool).Sample(t =>
        {
            var (rows, crlf) = t;
            var written = rows.Select(r => new[] { r.Item1, r.Item2 }).ToList();
            var csv = Write(["a", "b"], written, crlf);
            var newline = crlf ? "\r\n" : "\n";
            using var parser = new CsvParser(
                new CsvSourceReader(new MemoryStream(Encoding.UTF8.GetBytes(csv)), max, CancellationToken.None),
                new CsvConfiguration(CultureInfo.InvariantCulture) { IgnoreBlankLines = false, BadDataFound = null });

            Assert.True(parser.Read());
            for (var i = 0; i < written.Count; i++)
            {
                Assert.True(parser.Read(), $"row {i + 2} missing");
                Assert.Equal(i + 2, parser.Row);
                var length = Write(null, [written[i]], crlf).Length - newline.Length;
                if (length > max)
                {
                    Assert.Contains(parser.Record!, c => CsvSourceReader.Holds(c, CsvSourceReader.Truncated));
                }
                else
                {
                    Assert.Equal(written[i], parser.Record);
                }
            }

            Assert.False(parser.Read());
        }, iter: 500);
    }

    private static string? Expected(string cell) => cell.Trim() is { Length: > 0 } trimmed ? trimmed : null;

    private static string Write(string[]? header, IEnumerable<string[]> rows, bool crlf) =>
        string.Concat((header is null ? rows : rows.Prepend(header)).Select(row => string.Join(',', row.Select(Quote)) + (crlf ? "\r\n" : "\n")));

    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny("\",\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
