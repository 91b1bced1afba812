using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Handoff;

/// <summary>
/// Takes personal data out of text that came from a CRM (error messages often echo the values they refused)
/// before it reaches a log, the ledger or the dead letters.
/// </summary>
public static partial class SensitiveText
{
    /// <summary>What a removed value is replaced with.</summary>
    public const string Placeholder = "[redacted]";

    /// <summary>
    /// Replaces each of <paramref name="known"/> values, anything shaped like an e-mail address, anything shaped like a phone
    /// number, and the values of secret query parameters in any URL the text quotes (<see cref="QuerySecrets"/>).
    /// </summary>
    public static string Redact(string text, params string?[] known)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(known);
        text = QuerySecrets.Redact(text);
        foreach (var value in known)
        {
            if (!string.IsNullOrWhiteSpace(value) && value.Length >= 3)
            {
                text = text.Replace(value, Placeholder, StringComparison.OrdinalIgnoreCase);
            }
        }

        // A CRM may echo a phone number reformatted (+15551234567 for 555-123-4567), so number-like runs go too.
        return PhoneLike().Replace(EmailLike().Replace(text, Placeholder), Placeholder);
    }

    /// <summary>The most characters of a vendor's or caller's value that the app echoes (logs, SOAP faults, problem details).</summary>
    public const int EchoLength = 200;

    /// <summary>
    /// A value from a vendor, a CRM or a caller made safe to echo: every control character (line breaks included) and
    /// every line or paragraph separator or bidirectional override replaced by <c>?</c>, then cut to
    /// <see cref="EchoLength"/> characters (never inside a surrogate pair) with <c>…[+N]</c> saying how many were cut, and
    /// the values of secret query parameters removed (<see cref="QuerySecrets"/>). Null stays null.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    public static string? Echo(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var end = Math.Min(value.Length, EchoLength);
        if (end < value.Length && char.IsHighSurrogate(value[end - 1]))
        {
            end--;
        }

        var echo = new StringBuilder(end + 16);
        for (var i = 0; i < end; i++)
        {
            var c = value[i];
            echo.Append(IsUnsafe(c) ? '?' : c);
        }

        if (end < value.Length)
        {
            echo.Append(CultureInfo.InvariantCulture, $"…[+{value.Length - end}]");
        }

        // A URL quoted by a vendor may carry a key (code=, token=): its value goes too, after the cut, so a key cut in
        // two is still found.
        return QuerySecrets.Redact(echo.ToString());
    }

    private static bool IsUnsafe(char c) =>
        char.IsControl(c) ||
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator ||
        c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    [GeneratedRegex(@"\+?\(?\d[\d\s().\-]{5,}\d", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"[^\s""'<>\[\](),;:]+@[^\s""'<>\[\](),;:]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EmailLike();
}

/// <summary>
/// A log field that holds a value from outside (a vendor, a CRM, a caller): it prints as
/// <see cref="SensitiveText.Echo"/> makes it, so a log line stays one line of bounded length whatever was sent.
/// Every string field of the app's <c>[LoggerMessage]</c> methods has this type.
/// </summary>
public readonly record struct Echoed(string? Value)
{
    /// <summary>Wraps a value.</summary>
    public static implicit operator Echoed(string? value) => new(value);

    /// <summary>Wraps a value (the named alternative of the conversion).</summary>
    public static Echoed FromString(string? value) => new(value);

    /// <summary>The bounded, single-line form.</summary>
    public override string ToString() => SensitiveText.Echo(Value) ?? "(null)";
}
