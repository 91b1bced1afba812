using Microsoft.AspNetCore.Http;
using Smarketing.Core.Contracts;

namespace Smarketing.Functions.Http;

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

    /// <summary>400 naming every bad field.</summary>
    public static JsonBodyResult Validation(FieldErrors errors) => Create(
        StatusCodes.Status400BadRequest,
        "The request has invalid fields.",
        $"Fix these fields and send again: {string.Join(", ", errors.Fields)}.",
        errors.ToDictionary());

    /// <summary>401 for a delivery whose signature or secret is missing or wrong; nothing was read or written.</summary>
    public static JsonBodyResult Unauthenticated(string detail) =>
        Create(StatusCodes.Status401Unauthorized, "The delivery is not authenticated.", detail);

    /// <summary>415 for a body of another media type than the endpoint reads.</summary>
    public static JsonBodyResult UnsupportedMediaType(string detail) =>
        Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type.", detail);

    /// <summary>413 for a body over the endpoint's cap.</summary>
    public static JsonBodyResult TooLarge(string detail) =>
        Create(StatusCodes.Status413PayloadTooLarge, "The body is too large.", detail);

    /// <summary>503 with <c>Retry-After</c>: storage failed after the SDK's own retries, so the caller should send again.</summary>
    public static JsonBodyResult StorageUnavailable(string detail)
    {
        var result = Create(StatusCodes.Status503ServiceUnavailable, "Storage is unavailable.", detail);
        result.Headers["Retry-After"] = "30";
        return result;
    }
}
