using Microsoft.AspNetCore.Http;
using Smarketing.Core.Intake;

namespace Smarketing.Functions.Http;

/// <summary>What signatures and secrets are checked against: headers, and the URI as the vendor called it.</summary>
public static class WebhookRequests
{
    /// <summary>The header a sender that cannot sign (Marketo, a Flow callout, a HubSpot workflow API key) carries its secret in.</summary>
    public const string SecretHeader = "X-Smarketing-Secret";

    private static readonly System.Buffers.SearchValues<char> NotInAHost = System.Buffers.SearchValues.Create("/?#@\\ ");

    /// <summary>A header's value, or null when absent or empty.</summary>
    public static string? Header(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Headers[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The delivery as the vendor sent it, for Core's signature checks.</summary>
    public static WebhookRequest From(HttpRequest request, ReadOnlyMemory<byte> body, string? publicBaseUrl, int trustedProxyHops)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new WebhookRequest
        {
            Method = request.Method,
            Uri = PublicUri(request, publicBaseUrl, trustedProxyHops),
            Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body,
        };
    }

    /// <summary>
    /// The URI the vendor called, as it signed it: the configured public base URL (the Functions host may see another
    /// scheme and host behind the front end), else the host and scheme the outermost of the deployment's own proxies
    /// forwarded (<see cref="HttpEdgeOptions.TrustedProxyHops"/>; never a value a client wrote), else the request's; then
    /// the path and the query exactly as received.
    /// </summary>
    public static string PublicUri(HttpRequest request, string? publicBaseUrl, int trustedProxyHops)
    {
        ArgumentNullException.ThrowIfNull(request);
        string origin;
        if (!string.IsNullOrWhiteSpace(publicBaseUrl))
        {
            origin = publicBaseUrl.TrimEnd('/');
        }
        else
        {
            var proto = Forwarded(Header(request, "X-Forwarded-Proto"), trustedProxyHops);
            var scheme = proto is "http" or "https" ? proto : request.Scheme;
            var host = Forwarded(Header(request, "X-Forwarded-Host"), trustedProxyHops) is { } forwarded && IsHost(forwarded) ? forwarded : request.Host.Value;
            origin = $"{scheme}://{host}";
        }

        return origin + request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
    }

    // Each trusted proxy appends one value on the right: the N-th from the right is what the outermost one saw.
    private static string? Forwarded(string? list, int trustedProxyHops)
    {
        if (trustedProxyHops <= 0 || list is null)
        {
            return null;
        }

        var values = list.Split(',', StringSplitOptions.TrimEntries);
        var value = values[Math.Max(0, values.Length - trustedProxyHops)];
        return value.Length > 0 ? value : null;
    }

    // host or host:port, nothing that would change the URI's shape (user info, path, query).
    private static bool IsHost(string value)
    {
        var host = HostString.FromUriComponent(value);
        return Uri.CheckHostName(host.Host) != UriHostNameType.Unknown && (host.Port is null or > 0 and <= 65535)
            && value.AsSpan().IndexOfAny(NotInAHost) < 0;
    }
}
