using System.Text;

namespace Smarketing.Core.Storage;

/// <summary>
/// Makes any string safe as an Azure Table PartitionKey or RowKey. Table keys forbid
/// <c>/ \ # ?</c> and control characters; those (and <c>%</c> itself, so the mapping is reversible)
/// are percent-encoded as UTF-8 bytes.
/// </summary>
public static class TableKeys
{
    /// <summary>The longest key Table Storage accepts, in characters (1 KiB of UTF-16).</summary>
    public const int MaxLength = 512;

    /// <summary>Encodes <paramref name="value"/> into a valid key, reversible with <see cref="Decode"/>.</summary>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!NeedsEncoding(value))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 8);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.Value == '%' || Rune.IsControl(rune) || (rune.IsAscii && IsForbidden((char)rune.Value)))
            {
                var n = rune.EncodeToUtf8(bytes);
                for (var i = 0; i < n; i++)
                {
                    sb.Append('%').Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }

    /// <summary>Reverses <see cref="Encode"/>.</summary>
    public static string Decode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(key) : key;
    }

    /// <summary>True when <paramref name="value"/> encodes to a key within the length limit.</summary>
    public static bool FitsInKey(string value) => Encode(value).Length <= MaxLength;

    private static bool NeedsEncoding(string value)
    {
        foreach (var c in value)
        {
            if (IsForbidden(c) || c == '%' || char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsForbidden(char c) => c is '/' or '\\' or '#' or '?' || char.IsControl(c);
}
