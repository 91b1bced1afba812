using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Functions.Http;

namespace Smarketing.Functions.Feedback;

/// <summary>Reading feedback requests: bodies with a size cap checked before parsing, secrets, the URI a vendor signed.</summary>
public static class FeedbackRequests
{
    /// <summary>The header a Flow callout (Named Credential) or a HubSpot workflow (API key) carries its secret in.</summary>
    public const string SecretHeader = "X-Smarketing-Secret";

    /// <summary>The cap of an Outbound Message: 100 notifications with their fields outgrow the JSON cap.</summary>
    public const int MaxSoapBodyBytes = 1024 * 1024;

    public static readonly string[] XmlTypes = ["text/xml", "application/xml", "application/soap+xml"];

    public static readonly string[] JsonTypes = ["application/json"];

    /// <summary>
    /// Returns the body, or a problem: 415 for another content type, 413 beyond <paramref name="maxBytes"/>.
    /// <paramref name="problem"/> shapes the problem for the format (JSON problem details or a SOAP fault).
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IActionResult? Problem)> ReadAsync(
        HttpRequest request,
        IReadOnlyList<string> contentTypes,
        int maxBytes,
        Func<int, string, IActionResult> problem,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(problem);
        var type = request.ContentType?.Split(';')[0].Trim();
        if (type is null || !contentTypes.Any(t => string.Equals(t, type, StringComparison.OrdinalIgnoreCase)) &&
            !(contentTypes.Contains("application/json") && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return (default, problem(StatusCodes.Status415UnsupportedMediaType, $"Send the body as {string.Join(" or ", contentTypes)}, not '{request.ContentType ?? "(none)"}'."));
        }

        if (request.ContentLength > maxBytes)
        {
            return (default, problem(StatusCodes.Status413PayloadTooLarge, $"A body may have at most {maxBytes} bytes."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (default, problem(StatusCodes.Status413PayloadTooLarge, $"A body may have at most {maxBytes} bytes."));
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    /// <summary>A JSON problem for <see cref="ReadAsync"/>.</summary>
    public static IActionResult JsonProblem(int status, string detail) => Problems.Create(
        status,
        status == StatusCodes.Status413PayloadTooLarge ? "The body is too large." : "Unsupported content type.",
        detail);

    public static string? Header(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Headers[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
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
