using System.Security.Cryptography;
using System.Text;

namespace Smarketing.Core.Feedback;

/// <summary>Constant-time checks of a presented secret against the configured ones (several may be active during a rotation).</summary>
public static class SharedSecrets
{
    /// <summary>
    /// True when <paramref name="presented"/> equals one of <paramref name="secrets"/>. Both sides are hashed first so the
    /// comparison takes the same time whatever the lengths, and every configured secret is compared.
    /// </summary>
    public static bool Matches(string? presented, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), given);
        var match = false;
        foreach (var secret in secrets)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(secret), expected);
            match |= CryptographicOperations.FixedTimeEquals(given, expected);
        }

        return match;
    }
}

/// <summary>How a HubSpot request signature check ended.</summary>
public enum HubSpotSignatureCheck
{
    /// <summary>The signature matches one of the client secrets and the timestamp is fresh.</summary>
    Valid,

    /// <summary>The signature or timestamp header is missing.</summary>
    Missing,

    /// <summary>The timestamp is not a number of milliseconds since the epoch.</summary>
    MalformedTimestamp,

    /// <summary>The timestamp is more than the tolerance away from now (a replay, or a clock far off).</summary>
    Stale,

    /// <summary>The signature is not base64 or matches no client secret.</summary>
    Mismatch,
}

/// <summary>
/// HubSpot's v3 request signature (<c>X-HubSpot-Signature-v3</c>): base64 of HMAC-SHA256, keyed with the app's client
/// secret, over method + URI + body + timestamp, where the timestamp is <c>X-HubSpot-Request-Timestamp</c> in
/// milliseconds and requests older than five minutes are refused.
/// </summary>
public static class HubSpotSignature
{
    /// <summary>The header carrying the signature.</summary>
    public const string SignatureHeader = "X-HubSpot-Signature-v3";

    /// <summary>The header carrying the timestamp, in milliseconds since the Unix epoch.</summary>
    public const string TimestampHeader = "X-HubSpot-Request-Timestamp";

    /// <summary>How far the timestamp may be from now.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    // HubSpot signs the URI with these escapes decoded; any other escape stays as sent.
    private static readonly (string Escaped, string Plain)[] Decoded =
    [
        ("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"),
        ("%27", "'"), ("%28", "("), ("%29", ")"), ("%2A", "*"), ("%2C", ","), ("%3B", ";"),
    ];

    /// <summary>The URI as HubSpot signs it: the listed percent-escapes decoded (either hex case).</summary>
    public static string NormalizeUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        foreach (var (escaped, plain) in Decoded)
        {
            uri = uri.Replace(escaped, plain, StringComparison.OrdinalIgnoreCase);
        }

        return uri;
    }

    /// <summary>Computes the v3 signature of a request.</summary>
    public static string Compute(string clientSecret, string method, string uri, ReadOnlySpan<byte> body, string timestamp)
    {
        ArgumentNullException.ThrowIfNull(clientSecret);
        return Convert.ToBase64String(Hash(clientSecret, method, uri, body, timestamp));
    }

    /// <summary>Checks a request's v3 signature against every configured client secret.</summary>
    public static HubSpotSignatureCheck Verify(
        IReadOnlyList<string> clientSecrets,
        string method,
        string uri,
        ReadOnlySpan<byte> body,
        string? signature,
        string? timestamp,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(clientSecrets);
        if (string.IsNullOrWhiteSpace(signature) || string.IsNullOrWhiteSpace(timestamp))
        {
            return HubSpotSignatureCheck.Missing;
        }

        if (!long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var millis) ||
            millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return HubSpotSignatureCheck.MalformedTimestamp;
        }

        if ((now - DateTimeOffset.FromUnixTimeMilliseconds(millis)).Duration() > Tolerance)
        {
            return HubSpotSignatureCheck.Stale;
        }

        var given = new byte[SHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(signature.Trim(), given, out var written) || written != given.Length)
        {
            return HubSpotSignatureCheck.Mismatch;
        }

        var match = false;
        foreach (var secret in clientSecrets)
        {
            match |= CryptographicOperations.FixedTimeEquals(given, Hash(secret, method, uri, body, timestamp));
        }

        return match ? HubSpotSignatureCheck.Valid : HubSpotSignatureCheck.Mismatch;
    }

    private static byte[] Hash(string clientSecret, string method, string uri, ReadOnlySpan<byte> body, string timestamp)
    {
        var head = Encoding.UTF8.GetBytes(method + NormalizeUri(uri));
        var tail = Encoding.UTF8.GetBytes(timestamp);
        var content = new byte[head.Length + body.Length + tail.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        tail.CopyTo(content, head.Length + body.Length);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), content);
    }
}
