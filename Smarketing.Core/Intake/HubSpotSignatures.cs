using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Smarketing.Core.Intake;

/// <summary>
/// HubSpot request signatures. v3 (<c>X-HubSpot-Signature-v3</c>): base64 HMAC-SHA256, keyed with the app's
/// client secret, of method + URI + body + <c>X-HubSpot-Request-Timestamp</c> (Unix milliseconds), refused
/// when the timestamp is more than 5 minutes old. v2 (<c>X-HubSpot-Signature</c> with
/// <c>X-HubSpot-Signature-Version: v2</c>): hex SHA-256 of secret + method + URI + body, with no timestamp,
/// so it is accepted only where a setting allows it.
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

    /// <summary>Verifies a HubSpot delivery against every active client secret.</summary>
    public static AuthenticationResult Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now, bool allowV2)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secrets);
        var v3 = request.Header(V3Header);
        if (!string.IsNullOrEmpty(v3))
        {
            return VerifyV3(request, v3, secrets, now);
        }

        var legacy = request.Header(LegacyHeader);
        if (allowV2 && !string.IsNullOrEmpty(legacy) && string.Equals(request.Header(VersionHeader), "v2", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var secret in secrets)
            {
                if (FixedTimeEquals(legacy, SignV2(secret, request.Method, request.Uri, request.Body.Span)))
                {
                    return AuthenticationResult.Success();
                }
            }

            return AuthenticationResult.Refused($"The {LegacyHeader} (v2) matches no active client secret.");
        }

        return AuthenticationResult.Refused($"Missing {V3Header} and {TimestampHeader} headers.");
    }

    private static AuthenticationResult VerifyV3(WebhookRequest request, string signature, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        var timestamp = request.Header(TimestampHeader);
        if (string.IsNullOrEmpty(timestamp) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var millis) ||
            millis > 253_402_300_799_999)
        {
            return AuthenticationResult.Refused($"Missing or malformed {TimestampHeader} header.");
        }

        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(millis);
        if (now - signedAt > MaxAge || signedAt - now > MaxAge)
        {
            return AuthenticationResult.Refused($"The {TimestampHeader} is more than {MaxAge.TotalMinutes} minutes from now.");
        }

        foreach (var secret in secrets)
        {
            if (FixedTimeEquals(signature, SignV3(secret, request.Method, request.Uri, request.Body.Span, timestamp)))
            {
                return AuthenticationResult.Success();
            }
        }

        return AuthenticationResult.Refused($"The {V3Header} matches no active client secret.");
    }

    private static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
