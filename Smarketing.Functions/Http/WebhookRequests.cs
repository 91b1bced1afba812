using Microsoft.AspNetCore.Http;
using Smarketing.Core.Intake;

namespace Smarketing.Functions.Http;

/// <summary>What signatures and secrets are checked against: headers, and the URI as the vendor called it.</summary>
public static class WebhookRequests
{
    /// <summary>The header a sender that cannot sign (Marketo, a Flow callout, a HubSpot workflow API key) carries its secret in.</summary>
    public const string SecretHeader = "X-Smarketing-Secret";

    /// <summary>A header's value, or null when absent or empty.</summary>
    public static string? Header(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Headers[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The delivery as the vendor sent it, for Core's signature checks.</summary>
    public static WebhookRequest From(HttpRequest request, ReadOnlyMemory<byte> body, string? publicBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new WebhookRequest
        {
            Method = request.Method,
            Uri = PublicUri(request, publicBaseUrl),
            Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body,
        };
    }

    /// <summary>
    /// The URI the vendor called, as it signed it: the configured public base URL (the Functions host may see another
    /// scheme and host behind the front end), else the forwarded host and scheme, else the request's; then the path and
    /// the query exactly as received.
    /// </summary>
    public static string PublicUri(HttpRequest request, string? publicBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(request);
        string origin;
        if (!string.IsNullOrWhiteSpace(publicBaseUrl))
        {
            origin = publicBaseUrl.TrimEnd('/');
        }
        else
        {
            var scheme = First(Header(request, "X-Forwarded-Proto")) ?? request.Scheme;
            var host = First(Header(request, "X-Forwarded-Host")) ?? request.Host.Value;
            origin = $"{scheme}://{host}";
        }

        return origin + request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
    }

    private static string? First(string? list) => list?.Split(',')[0].Trim() is { Length: > 0 } first ? first : null;
}
