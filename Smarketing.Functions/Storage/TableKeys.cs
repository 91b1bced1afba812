using System.Text;

namespace Smarketing.Functions.Storage;

/// <summary>
/// Makes any string safe as an Azure Table PartitionKey or RowKey. Table keys forbid
/// <c>/ \ # ?</c> and control characters; those (and <c>%</c> itself, so the mapping is reversible)
/// are percent-encoded as UTF-8 bytes. A value whose encoding would pass the key length limit is cut and
/// completed with a hash of the whole value, so every value has a valid, distinct key; such a key cannot be
/// decoded, so rows keep the original value in a property of their own.
/// </summary>
public static class TableKeys
{
    /// <summary>The longest key Table Storage accepts, in characters (1 KiB of UTF-16).</summary>
    public const int MaxLength = 512;

    /// <summary>Encodes <paramref name="value"/> into a valid key, reversible with <see cref="Decode"/> when it fits.</summary>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var encoded = NeedsEncoding(value) ? PercentEncode(value) : value;
        if (encoded.Length <= MaxLength)
        {
            return encoded;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(value)));
        var keep = MaxLength - hash.Length - 1;

        // Never cut inside a %XX escape.
        var cut = encoded.LastIndexOf('%', keep - 1) is var p && p > keep - 3 ? p : keep;
        if (char.IsHighSurrogate(encoded[cut - 1]))
        {
            cut--;
        }

        return encoded[..cut] + "~" + hash;
    }

    private static string PercentEncode(string value)
    {
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
