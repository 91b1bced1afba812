using System.Security.Cryptography;
using System.Text;

namespace Smarketing.Core.Intake;

/// <summary>A shared secret in a header, for senders that cannot sign (Marketo webhooks, Salesforce callouts).</summary>
public static class SharedSecret
{
    /// <summary>Verifies that <paramref name="headerName"/> carries one of the active secrets, in constant time.</summary>
    public static AuthenticationResult Verify(WebhookRequest request, string headerName, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(request);
        var given = request.Header(headerName);
        if (string.IsNullOrEmpty(given))
        {
            return AuthenticationResult.Refused($"Missing {headerName} header.");
        }

        return Matches(given, secrets)
            ? AuthenticationResult.Success()
            : AuthenticationResult.Refused($"The {headerName} header matches no active secret.");
    }

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
