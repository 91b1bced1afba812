using System.Security.Cryptography;

namespace Smarketing.Core.Feedback;

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
/// HubSpot's v3 request signature (<c>X-HubSpot-Signature-v3</c>) as the feedback endpoint checks it: the signing itself is
/// the intake's (<see cref="Intake.HubSpotSignatures"/>); this check reports which part failed, so the 401 can say so.
/// </summary>
public static class HubSpotSignature
{
    /// <summary>The header carrying the signature.</summary>
    public const string SignatureHeader = Intake.HubSpotSignatures.V3Header;

    /// <summary>The header carrying the timestamp, in milliseconds since the Unix epoch.</summary>
    public const string TimestampHeader = Intake.HubSpotSignatures.TimestampHeader;

    /// <summary>How far the timestamp may be from now, either way.</summary>
    public static readonly TimeSpan Tolerance = Intake.HubSpotSignatures.MaxAge;

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
            var expected = Convert.FromBase64String(Intake.HubSpotSignatures.SignV3(secret, method, uri, body, timestamp));
            match |= CryptographicOperations.FixedTimeEquals(given, expected);
        }

        return match ? HubSpotSignatureCheck.Valid : HubSpotSignatureCheck.Mismatch;
    }
}
