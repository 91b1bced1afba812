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

    [GeneratedRegex(@"\+?\(?\d[\d\s().\-]{5,}\d", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"[^\s""'<>\[\](),;:]+@[^\s""'<>\[\](),;:]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EmailLike();
}
