namespace Smarketing.Core.Leads;

/// <summary>
/// The length caps of every free-text value a <see cref="Lead"/> keeps. Readers of each format refuse or cut text on
/// their own terms; the lead cuts again here, at the one place text enters its state, so no reader, present or
/// future, can grow a ledger row past what Table Storage accepts (docs/storage.md lists the caps).
/// </summary>
public static class TextCaps
{
    /// <summary>Campaign, source, industry, country, phone, trigger action: short labels.</summary>
    public const int Label = 256;

    /// <summary>Ids kept on the lead: CRM record id, owner id.</summary>
    public const int Id = 200;

    /// <summary>The rep named by CRM feedback (kept as the history entry's actor <c>crm:&lt;rep&gt;</c>).</summary>
    public const int Rep = 200;

    /// <summary>A reason code.</summary>
    public const int ReasonCode = 100;

    /// <summary>A history entry's note.</summary>
    public const int Note = 1000;

    /// <summary>The last handoff error.</summary>
    public const int HandoffError = 1000;

    /// <summary>The text cut to <paramref name="max"/> characters, never splitting a surrogate pair; null stays null.</summary>
    public static string? Cut(string? text, int max)
    {
        if (text is null || text.Length <= max)
        {
            return text;
        }

        var end = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..end];
    }
}
