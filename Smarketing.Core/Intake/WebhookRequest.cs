namespace Smarketing.Core.Intake;

/// <summary>A webhook delivery as the vendor sent it: what signatures are computed over.</summary>
public sealed record WebhookRequest
{
    /// <summary>The HTTP method, e.g. <c>POST</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The full URL the vendor called, as the vendor saw it (scheme, host, path and query).</summary>
    public required string Uri { get; init; }

    /// <summary>The request headers (case-insensitive names).</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The raw body bytes.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The outcome of authenticating a delivery.</summary>
public sealed record AuthenticationResult
{
    /// <summary>True when the delivery is authentic.</summary>
    public required bool Authenticated { get; init; }

    /// <summary>The delivery's own id when the scheme carries one (e.g. <c>webhook-id</c>), for idempotency.</summary>
    public string? DeliveryId { get; init; }

    /// <summary>Why the delivery was refused; safe to return to the caller (never names a secret).</summary>
    public string? Failure { get; init; }

    /// <summary>An authentic delivery.</summary>
    public static AuthenticationResult Success(string? deliveryId = null) => new() { Authenticated = true, DeliveryId = deliveryId };

    /// <summary>A refused delivery.</summary>
    public static AuthenticationResult Refused(string failure) => new() { Authenticated = false, Failure = failure };
}
