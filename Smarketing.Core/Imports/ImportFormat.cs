using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;

[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace", Target = "~N:Smarketing.Core.Imports",
    Justification = "The feature's name; 'Imports' is a keyword only in Visual Basic, which no caller of this app uses.")]

namespace Smarketing.Core.Imports;

/// <summary>The formats a lead list can be uploaded in.</summary>
public enum ImportFormat
{
    /// <summary>RFC 4180 CSV with a header row, UTF-8 with or without a byte order mark, CRLF or LF line ends.</summary>
    Csv,

    /// <summary>JSON Lines: one lead per line, each a JSON object in the shape of the generic lead webhook body.</summary>
    JsonLines,
}

/// <summary>Recognises the format of an upload from its content type.</summary>
public static class ImportFormats
{
    private static readonly string[] CsvTypes = ["text/csv", "application/csv"];

    private static readonly string[] JsonLinesTypes = ["application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines"];

    /// <summary>
    /// <see cref="ImportFormat.Csv"/> for <c>text/csv</c> and <c>application/csv</c>; <see cref="ImportFormat.JsonLines"/>
    /// for <c>application/x-ndjson</c>, <c>application/jsonl</c>, <c>application/x-jsonlines</c> and
    /// <c>application/jsonlines</c>. A <c>charset</c> parameter is accepted only when it is <c>utf-8</c>; other parameters
    /// (such as CSV's <c>header=present</c>) are ignored. Null for anything else.
    /// </summary>
    public static ImportFormat? FromContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is null)
        {
            return null;
        }

        var charset = media.CharSet?.Trim().Trim('"');
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (CsvTypes.Contains(media.MediaType, StringComparer.OrdinalIgnoreCase))
        {
            return ImportFormat.Csv;
        }

        return JsonLinesTypes.Contains(media.MediaType, StringComparer.OrdinalIgnoreCase) ? ImportFormat.JsonLines : null;
    }
}
