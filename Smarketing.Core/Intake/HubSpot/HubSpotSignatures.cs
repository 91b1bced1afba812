using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Smarketing.Core.Intake.HubSpot;

/// <summary>How a HubSpot request signature check ended.</summary>
public enum HubSpotSignatureCheck
{
    /// <summary>The signature matches one of the client secrets (and, for v3, the timestamp is fresh).</summary>
    Valid,

    /// <summary>The signature or timestamp header is missing.</summary>
    Missing,

    /// <summary>The timestamp is not a number of milliseconds since the epoch.</summary>
    MalformedTimestamp,

    /// <summary>The timestamp is more than <see cref="HubSpotSignatures.MaxAge"/> away from now (a replay, or a clock far off).</summary>
    Stale,

    /// <summary>The signature is not base64 or matches no client secret.</summary>
    Mismatch,
}


/// <summary>
/// HubSpot request signatures. v3 (<c>X-HubSpot-Signature-v3</c>): base64 HMAC-SHA256, keyed with the app's
/// client secret, of method + URI + body + <c>X-HubSpot-Request-Timestamp</c> (Unix milliseconds), refused
/// when the timestamp is more than 5 minutes old. v2 (<c>X-HubSpot-Signature</c> with
/// <c>X-HubSpot-Signature-Version: v2</c>): hex SHA-256 of secret + method + URI + body, with no timestamp,
/// so it is accepted only where a setting allows it. The lead intake and the HubSpot feedback endpoint both check
/// through <see cref="Check"/>, so the window, the URI escapes and the v2 opt-in are the same for both.
/// </summary>
public static class HubSpotSignatures
{
    /// <summary>The v3 signature header.</summary>
    public const string V3Header = "X-HubSpot-Signature-v3";

    /// <summary>The v3 timestamp header.</summary>
    public const string TimestampHeader = "X-HubSpot-Request-Timestamp";

    /// <summary>The v1/v2 signature header.</summary>
    public const string LegacyHeader = "X-HubSpot-Signature";

    /// <summary>The v1/v2 signature version header.</summary>
    public const string VersionHeader = "X-HubSpot-Signature-Version";

    /// <summary>How old a v3 timestamp may be.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private static readonly long MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    // HubSpot decodes these in the URI before signing, whatever the caller percent-encoded.
    private static readonly (string Encoded, string Decoded)[] DecodedInUri =
    [
        ("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"), ("%27", "'"),
        ("%28", "("), ("%29", ")"), ("%2A", "*"), ("%2C", ","), ("%3B", ";"),
    ];

    /// <summary>The URI as HubSpot signs it: the listed percent-encodings decoded.</summary>
    public static string CanonicalUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        foreach (var (encoded, decoded) in DecodedInUri)
        {
            uri = uri.Replace(encoded, decoded, StringComparison.OrdinalIgnoreCase);
        }

        return uri;
    }

    /// <summary>The v3 signature of a request.</summary>
    public static string SignV3(string secret, string method, string uri, ReadOnlySpan<byte> body, string timestamp)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var head = Encoding.UTF8.GetBytes(method + CanonicalUri(uri));
        var tail = Encoding.UTF8.GetBytes(timestamp);
        var content = new byte[head.Length + body.Length + tail.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        tail.CopyTo(content, head.Length + body.Length);
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), content));
    }

    /// <summary>The v2 signature of a request (hex).</summary>
    public static string SignV2(string secret, string method, string uri, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes(secret + method + uri);
        var content = new byte[head.Length + body.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        return Convert.ToHexStringLower(SHA256.HashData(content));
    }

    /// <summary>Verifies a HubSpot delivery against every active client secret, with the lead intake's refusal messages.</summary>
    public static AuthenticationResult Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now, bool allowV2)
    {
        ArgumentNullException.ThrowIfNull(request);
        var v3 = !string.IsNullOrWhiteSpace(request.Header(V3Header));
        return Check(request, secrets, now, allowV2) switch
        {
            HubSpotSignatureCheck.Valid => AuthenticationResult.Success(),
            HubSpotSignatureCheck.Missing when !v3 => AuthenticationResult.Refused($"Missing {V3Header} and {TimestampHeader} headers."),
            HubSpotSignatureCheck.Missing or HubSpotSignatureCheck.MalformedTimestamp => AuthenticationResult.Refused($"Missing or malformed {TimestampHeader} header."),
            HubSpotSignatureCheck.Stale => AuthenticationResult.Refused($"The {TimestampHeader} is more than {MaxAge.TotalMinutes} minutes from now."),
            _ when !v3 => AuthenticationResult.Refused($"The {LegacyHeader} (v2) matches no active client secret."),
            _ => AuthenticationResult.Refused($"The {V3Header} matches no active client secret."),
        };
    }

    /// <summary>
    /// Checks a delivery against every active client secret: the v3 signature when present (timestamp within
    /// <see cref="MaxAge"/> either way), else a v2 signature when <paramref name="allowV2"/>, else <see cref="HubSpotSignatureCheck.Missing"/>.
    /// </summary>
    public static HubSpotSignatureCheck Check(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now, bool allowV2)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secrets);
        var v3 = request.Header(V3Header);
        if (!string.IsNullOrWhiteSpace(v3))
        {
            return CheckV3(request, v3, secrets, now);
        }

        var legacy = request.Header(LegacyHeader);
        if (allowV2 && !string.IsNullOrEmpty(legacy) && string.Equals(request.Header(VersionHeader), "v2", StringComparison.OrdinalIgnoreCase))
        {
            var match = false;
            foreach (var secret in secrets)
            {
                match |= FixedTimeEquals(legacy, SignV2(secret, request.Method, request.Uri, request.Body.Span));
            }

            return match ? HubSpotSignatureCheck.Valid : HubSpotSignatureCheck.Mismatch;
        }

        return HubSpotSignatureCheck.Missing;
    }

    private static HubSpotSignatureCheck CheckV3(WebhookRequest request, string signature, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        var timestamp = request.Header(TimestampHeader);
        if (string.IsNullOrWhiteSpace(timestamp))
        {
            return HubSpotSignatureCheck.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var millis) || millis > MaxUnixMilliseconds)
        {
            return HubSpotSignatureCheck.MalformedTimestamp;
        }

        if ((now - DateTimeOffset.FromUnixTimeMilliseconds(millis)).Duration() > MaxAge)
        {
            return HubSpotSignatureCheck.Stale;
        }

        // Compared as bytes, so a signature that differs only in surrounding whitespace still matches.
        var given = new byte[SHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(signature.Trim(), given, out var written) || written != given.Length)
        {
            return HubSpotSignatureCheck.Mismatch;
        }

        var match = false;
        foreach (var secret in secrets)
        {
            var expected = Convert.FromBase64String(SignV3(secret, request.Method, request.Uri, request.Body.Span, timestamp));
            match |= CryptographicOperations.FixedTimeEquals(given, expected);
        }

        return match ? HubSpotSignatureCheck.Valid : HubSpotSignatureCheck.Mismatch;
    }

    private static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
