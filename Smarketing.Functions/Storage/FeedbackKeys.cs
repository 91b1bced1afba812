using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Smarketing.Functions.Storage;

/// <summary>
/// Table keys of the feedback tables. Each part is <see cref="TableKeys.Encode"/>d; a part that would not fit its share
/// of the 1 KiB key is cut and suffixed with a hash of the whole value, so it stays unique and the same value always
/// gives the same key (which is what makes a redelivery rewrite the same row).
/// </summary>
public static class FeedbackKeys
{
    /// <summary>The longest encoded campaign in a partition key.</summary>
    public const int MaxCampaignLength = 256;

    /// <summary>The longest encoded lead id or delivery id in a row key.</summary>
    public const int MaxIdLength = 440;

    private const string TimeFormat = "yyyyMMdd'T'HHmmssfffffff'Z'";

    /// <summary>The partition key of a campaign's disqualifications.</summary>
    public static string Campaign(string campaign) => Part(campaign, MaxCampaignLength);

    /// <summary>The row key of a disqualification: time first, so a time window is a key range; then lead and cycle.</summary>
    public static string Disqualification(DateTimeOffset disqualifiedAt, string leadId, int cycle) =>
        TimePrefix(disqualifiedAt) + "_" + Part(leadId, MaxIdLength) + "_" + cycle.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The smallest row key at or after <paramref name="at"/>; row keys of disqualifications at or after it sort at or above it.</summary>
    public static string TimePrefix(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>An encoded key part of at most <paramref name="maxLength"/> characters.</summary>
    public static string Part(string value, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        var encoded = TableKeys.Encode(value);
        if (encoded.Length <= maxLength)
        {
            return encoded;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..16];
        var cut = maxLength - hash.Length - 1;

        // Never cut through a percent-escape or a surrogate pair.
        while (cut > 0 && (encoded[cut - 1] == '%' || (cut > 1 && encoded[cut - 2] == '%') || char.IsHighSurrogate(encoded[cut - 1])))
        {
            cut--;
        }

        return encoded[..cut] + "~" + hash;
    }
}
