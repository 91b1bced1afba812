using System.Globalization;

namespace Smarketing.Core.Contracts;

/// <summary>
/// What an id (a lead id, a CRM record or owner id, a notification or event id) may hold. Ids become table keys, log
/// fields, CSV cells and CRM values, so they are one token of printable characters: no white space, no control
/// characters (a newline would forge a log line), no invisible format characters (a right-to-left override or a zero-width
/// space makes two ids look alike), at most <see cref="MaxLength"/> characters.
/// </summary>
public static class Identifiers
{
    /// <summary>The longest id accepted.</summary>
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="id"/> is not an id, or null when it is one.</summary>
    public static string? Problem(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length > MaxLength)
        {
            return $"Must be at most {MaxLength} characters.";
        }

        foreach (var c in id)
        {
            if (char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned)
            {
                return $"Must be one token of printable characters: no white space, control or invisible format characters (found U+{(int)c:X4}).";
            }
        }

        return null;
    }

    /// <summary>
    /// The one spelling of a lead id, applied wherever a lead id enters the app (intake, feedback, lookups): case-folded,
    /// upper- then lower-cased with the invariant culture, so two ids that a case-insensitive comparison takes as equal
    /// (Salesforce external ids, HubSpot unique values; <c>Lead-1</c> and <c>lead-1</c>, but also <c>ı</c> and <c>i</c>,
    /// <c>ſ</c> and <c>s</c>) are one lead in the ledger as in the CRM, never two leads sharing one CRM record.
    /// </summary>
    public static string NormalizeLeadId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);

        // .NET's invariant casing leaves the Turkish dotted capital and dotless small i alone; a CRM comparing case by
        // case takes both as i, so they are folded here too.
        return id.ToUpperInvariant().ToLowerInvariant().Replace('\u0130', 'i').Replace('\u0131', 'i');
    }
}
