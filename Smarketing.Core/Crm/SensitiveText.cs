using System.Text.RegularExpressions;

namespace Smarketing.Core.Crm;

/// <summary>
/// Takes personal data out of text that came from a CRM (error messages often echo the values they refused)
/// before it reaches a log, the ledger or the poison queue.
/// </summary>
public static partial class SensitiveText
{
    /// <summary>What a removed value is replaced with.</summary>
    public const string Placeholder = "[redacted]";

    /// <summary>Replaces each of <paramref name="known"/> values and anything shaped like an e-mail address.</summary>
    public static string Redact(string text, params string?[] known)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(known);
        foreach (var value in known)
        {
            if (!string.IsNullOrWhiteSpace(value) && value.Length >= 3)
            {
                text = text.Replace(value, Placeholder, StringComparison.OrdinalIgnoreCase);
            }
        }

        return EmailLike().Replace(text, Placeholder);
    }

    [GeneratedRegex(@"[^\s""'<>\[\](),;:]+@[^\s""'<>\[\](),;:]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EmailLike();
}
