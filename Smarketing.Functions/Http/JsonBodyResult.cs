using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Contracts;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Http;

/// <summary>
/// A JSON response that writes itself, so it needs no MVC executor: the same object works under the
/// Functions host's ASP.NET Core integration and on a bare <see cref="HttpContext"/> in tests.
/// </summary>
public sealed class JsonBodyResult(int statusCode, object body, string contentType = "application/json") : IActionResult
{
    public int StatusCode { get; } = statusCode;

    public object Body { get; } = body;

    public string ContentType { get; } = contentType;

    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        await JsonSerializer.SerializeAsync(response.Body, Body, Body.GetType(), SmarketingJson.Options, context.HttpContext.RequestAborted);
    }
}

/// <summary>RFC 7807 problem details.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static JsonBodyResult Create(int status, string title, string detail, IDictionary<string, string[]>? errors = null, IDictionary<string, object?>? extensions = null)
    {
        var body = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = $"https://httpstatuses.io/{status}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        };
        if (errors is not null)
        {
            body["errors"] = errors;
        }

        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            body[key] = value;
        }

        return new JsonBodyResult(status, body, ContentType);
    }

    public static JsonBodyResult Validation(FieldErrors errors) => Create(
        StatusCodes.Status400BadRequest,
        "The request has invalid fields.",
        $"Fix these fields and send again: {string.Join(", ", errors.Fields)}.",
        errors.ToDictionary());

    public static JsonBodyResult StorageUnavailable(string detail)
    {
        var result = Create(StatusCodes.Status503ServiceUnavailable, "Storage is unavailable.", detail);
        result.Headers["Retry-After"] = "30";
        return result;
    }
}

/// <summary>Reads a request body with a size cap checked before any parsing.</summary>
public static class RequestBodies
{
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Returns the body, or a 413 / 415 problem.</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IActionResult? Problem)> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsJson(request.ContentType))
        {
            return (default, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type.", $"Send the body as application/json, not '{request.ContentType ?? "(none)"}'."));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (default, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (default, TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    // application/json, or a structured +json type such as application/problem+json; parameters (charset) allowed.
    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         (media.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    private static JsonBodyResult TooLarge() =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"A body may have at most {MaxBodyBytes} bytes.");
}

/// <summary>Recognises a storage call that failed (after the SDK's own retries), to answer 503 instead of 500.</summary>
public static class StorageFailure
{
    public static bool Is(Exception exception) => exception switch
    {
        Azure.RequestFailedException => true,
        Smarketing.Core.Leads.LedgerConflictException => true,

        // Azure.Core's retry policy reports a transport failure on every attempt as an AggregateException.
        AggregateException aggregate => aggregate.InnerExceptions.All(Is),
        _ => false,
    };

    public static string Describe(Exception exception) => exception switch
    {
        Azure.RequestFailedException { Status: > 0 } failed => $"storage answered {failed.Status} ({failed.ErrorCode})",
        Smarketing.Core.Leads.LedgerConflictException => "the lead is being updated by too many deliveries at once",
        _ => "storage could not be reached",
    };
}
