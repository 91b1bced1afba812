namespace Smarketing.Core.Intake;

/// <summary>A shared secret in a header, for senders that cannot sign (Marketo webhooks).</summary>
public static class SharedSecret
{
    /// <summary>Verifies that <paramref name="headerName"/> carries one of the active secrets, in constant time.</summary>
    public static AuthenticationResult Verify(WebhookRequest request, string headerName, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secrets);
        var given = request.Header(headerName);
        if (string.IsNullOrEmpty(given))
        {
            return AuthenticationResult.Refused($"Missing {headerName} header.");
        }

        var match = false;
        foreach (var secret in secrets)
        {
            // Every secret is compared, so the time taken does not tell which one matched.
            match |= HubSpotSignatures.FixedTimeEquals(given, secret);
        }

        return match ? AuthenticationResult.Success() : AuthenticationResult.Refused($"The {headerName} header matches no active secret.");
    }
}
