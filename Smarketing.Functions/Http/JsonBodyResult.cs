using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
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
