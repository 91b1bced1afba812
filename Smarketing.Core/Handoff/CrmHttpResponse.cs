using System.Net;
using System.Net.Http.Headers;

namespace Smarketing.Core.Handoff;

/// <summary>
/// What a CRM answered to one HTTP request, read in full: the status, the headers the clients act on, and the
/// body. The <see cref="HttpResponseMessage"/> it came from is already disposed, so no caller can leak it.
/// </summary>
public sealed record CrmHttpResponse
{
    /// <summary>The HTTP status.</summary>
    public required HttpStatusCode StatusCode { get; init; }

    /// <summary>The status line's reason phrase, when the CRM sent one.</summary>
    public string? ReasonPhrase { get; init; }

    /// <summary>The <c>Retry-After</c> header, when the CRM sent one.</summary>
    public RetryConditionHeaderValue? RetryAfter { get; init; }

    /// <summary>The body as text; empty when there was none.</summary>
    public required string Body { get; init; }

    /// <summary>The HTTP status as a number.</summary>
    public int Status => (int)StatusCode;

    /// <summary>True for a 2xx status.</summary>
    public bool IsSuccess => Status is >= 200 and <= 299;

    /// <summary>
    /// Sends <paramref name="request"/>, reads the answer and disposes the response. A CRM that could not be reached
    /// (connection refused or reset, every attempt timed out, the HttpClient's breaker open) throws
    /// <see cref="CrmTransientException"/> with <see cref="CrmCondition.Down"/>: a state of the CRM, not of the lead.
    /// </summary>
    public static async Task<CrmHttpResponse> SendAsync(HttpMessageInvoker http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return await ReadAsync(response, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            throw new CrmTransientException($"The CRM could not be reached at {request.RequestUri?.GetLeftPart(UriPartial.Authority)}: {ex.Message}", CrmCondition.Down, null, null, ex);
        }
    }

    /// <summary>Reads <paramref name="response"/>; the caller still owns (and disposes) it.</summary>
    public static async Task<CrmHttpResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new CrmHttpResponse
        {
            StatusCode = response.StatusCode,
            ReasonPhrase = response.ReasonPhrase,
            RetryAfter = response.Headers.RetryAfter,
            Body = await response.Content.ReadAsStringAsync(cancellationToken),
        };
    }
}
