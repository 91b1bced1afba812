using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Intake.Generic;

/// <summary>
/// Standard Webhooks symmetric signatures (https://www.standardwebhooks.com): <c>webhook-id</c>,
/// <c>webhook-timestamp</c> (Unix seconds) and <c>webhook-signature</c>, a space-separated list of
/// <c>v1,&lt;base64 HMAC-SHA256 of "id.timestamp.body"&gt;</c>. Any listed signature made with any active
/// secret passes, which is how senders and receivers rotate keys.
/// </summary>
public static class StandardWebhooks
{
    /// <summary>The header carrying the delivery's unique id.</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The header carrying the signing time in Unix seconds.</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The header carrying the signatures.</summary>
    public const string SignatureHeader = "webhook-signature";

    /// <summary>How far the signing time may be from now, either way.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const string SecretPrefix = "whsec_";
    private const int MaxSignatures = 16;

    /// <summary>Decodes a <c>whsec_...</c> secret (the prefix is optional) into its key bytes.</summary>
    public static bool TryDecodeSecret(string secret, out byte[] key)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        key = new byte[encoded.Length];
        if (encoded.Length == 0 || !Convert.TryFromBase64String(encoded, key, out var written))
        {
            key = [];
            return false;
        }

        key = key[..written];
        return true;
    }

    /// <summary>The decoded keys of a comma-separated secrets setting; undecodable entries are left out (validators name them).</summary>
    public static IReadOnlyList<byte[]> Keys(string? secrets) => ListSetting.Parse(secrets)
        .Select(s => TryDecodeSecret(s, out var key) ? key : [])
        .Where(k => k.Length > 0)
        .ToList();

    /// <summary>Signs a delivery: the value to put in <c>webhook-signature</c>.</summary>
    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(Mac(key, id, timestamp.ToString(CultureInfo.InvariantCulture), body));

    /// <summary>Verifies a delivery against every active key.</summary>
    public static AuthenticationResult Verify(WebhookRequest request, IReadOnlyList<byte[]> keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(keys);
        var id = request.Header(IdHeader);
        var timestampText = request.Header(TimestampHeader);
        var signatures = request.Header(SignatureHeader);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestampText) || string.IsNullOrEmpty(signatures))
        {
            return AuthenticationResult.Refused($"Missing {IdHeader}, {TimestampHeader} or {SignatureHeader} header.");
        }

        if (id.Length > 256 || !long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return AuthenticationResult.Refused($"Malformed {IdHeader} or {TimestampHeader} header.");
        }

        var signedAt = timestamp > 253_402_300_799 ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if (signedAt < now - Tolerance || signedAt > now + Tolerance)
        {
            return AuthenticationResult.Refused($"The {TimestampHeader} is more than {Tolerance.TotalMinutes} minutes from now.");
        }

        Span<byte> candidate = stackalloc byte[32];
        var listed = 0;
        foreach (var part in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (++listed > MaxSignatures)
            {
                break;
            }

            var comma = part.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || !part.AsSpan(0, comma).SequenceEqual("v1") ||
                !Convert.TryFromBase64String(part[(comma + 1)..], candidate, out var written) || written != 32)
            {
                continue;
            }

            foreach (var key in keys)
            {
                if (CryptographicOperations.FixedTimeEquals(candidate, Mac(key, id, timestampText, request.Body.Span)))
                {
                    return AuthenticationResult.Success(id);
                }
            }
        }

        return AuthenticationResult.Refused($"No {SignatureHeader} matches an active secret.");
    }

    private static byte[] Mac(byte[] key, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, content);
    }
}
