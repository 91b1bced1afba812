using System.Text.RegularExpressions;

namespace Smarketing.Core.Contracts;

/// <summary>
/// Takes the values of secret-bearing query parameters (<c>code</c>, the Functions key; <c>token</c>, the Salesforce
/// Outbound Message secret; <c>sig</c>, a SAS signature; and the like) out of a URL or any text that may hold one, before it
/// reaches a log, the ledger or the dead letters.
/// </summary>
public static class QuerySecrets
{
    /// <summary>What a removed value is replaced with (the word the Azure SDK's own log redaction uses).</summary>
    public const string Placeholder = "REDACTED";

    /// <summary>The parameter names whose values are removed, compared case-insensitively.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "code", "token", "sig", "signature", "access_token", "refresh_token", "id_token", "client_secret", "key", "api_key",
        "apikey", "hapikey", "secret", "password",
    ];

    /// <summary><paramref name="text"/> with the value of every <see cref="Names"/> parameter replaced by <see cref="Placeholder"/>.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains('=', StringComparison.Ordinal) ? Parameter.Replace(text, m => m.Groups["name"].Value + "=" + Placeholder) : text;
    }

    // A name counts at the start of the text, after ? & ; # or whitespace and quotes, so "barcode=1" keeps its value.
    private static readonly Regex Parameter = new(
        $@"(?<=^|[?&;#\s""'(,])(?<name>{string.Join('|', Names.Select(Regex.Escape))})=(?<value>[^&#\s""'<>;,)]*)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled,
        TimeSpan.FromSeconds(1));
}
