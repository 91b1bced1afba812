using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Http;

/// <summary>
/// The one reader of request bodies: the content type parsed as a media type and checked first, then the size cap,
/// checked against Content-Length and again while reading, before any parsing.
/// </summary>
public static class RequestBodies
{
    /// <summary>The cap of a JSON body unless the endpoint says otherwise.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The media types a SOAP body (a Salesforce Outbound Message) may come as.</summary>
    public static readonly IReadOnlyList<string> XmlTypes = ["text/xml", "application/xml", "application/soap+xml"];

    /// <summary>Returns a JSON body (application/json or application/*+json), or a 415 / 413 problem.</summary>
    public static Task<(ReadOnlyMemory<byte> Body, IActionResult? Problem)> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken, int maxBytes = MaxBodyBytes) =>
        ReadAsync(request, IsJson, "application/json", maxBytes, JsonProblem, cancellationToken);

    /// <summary>Returns an XML body (<see cref="XmlTypes"/>), or a 415 / 413 answer shaped by <paramref name="problem"/> (status, detail).</summary>
    public static Task<(ReadOnlyMemory<byte> Body, IActionResult? Problem)> ReadXmlAsync(
        HttpRequest request, int maxBytes, Func<int, string, IActionResult> problem, CancellationToken cancellationToken) =>
        ReadAsync(request, media => XmlTypes.Any(t => media.MediaType.Equals(t, StringComparison.OrdinalIgnoreCase)), string.Join(" or ", XmlTypes), maxBytes, problem, cancellationToken);

    /// <summary>True for application/json or a structured +json type under application/, such as application/problem+json; parameters (charset) allowed.</summary>
    public static bool IsJson(MediaTypeHeaderValue media)
    {
        ArgumentNullException.ThrowIfNull(media);
        return media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
               (media.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<(ReadOnlyMemory<byte> Body, IActionResult? Problem)> ReadAsync(
        HttpRequest request,
        Func<MediaTypeHeaderValue, bool> accepts,
        string expected,
        int maxBytes,
        Func<int, string, IActionResult> problem,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || !accepts(media))
        {
            return (default, problem(StatusCodes.Status415UnsupportedMediaType, $"Send the body as {expected}, not '{SensitiveText.Echo(request.ContentType) ?? "(none)"}'."));
        }

        var tooLarge = $"A body may have at most {maxBytes} bytes.";
        if (request.ContentLength > maxBytes)
        {
            return (default, problem(StatusCodes.Status413PayloadTooLarge, tooLarge));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (default, problem(StatusCodes.Status413PayloadTooLarge, tooLarge));
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    private static JsonBodyResult JsonProblem(int status, string detail) =>
        status == StatusCodes.Status413PayloadTooLarge ? Problems.TooLarge(detail) : Problems.UnsupportedMediaType(detail);
}
