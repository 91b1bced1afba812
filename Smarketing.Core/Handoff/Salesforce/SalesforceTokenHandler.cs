using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>
/// Authenticates every Salesforce API request with the OAuth 2.0 client-credentials flow: fetches a token once,
/// caches it, attaches it as the bearer and sends the request to the instance the token belongs to (the client
/// addresses the org by <see cref="SalesforceOptions.LoginUrl"/>, Salesforce answers with its
/// <c>instance_url</c>). When Salesforce answers 401 the token is fetched again, once, and the request resent.
/// It sits outside the resilience pipeline, so the token request and each resend get their own retries.
/// </summary>
internal sealed class SalesforceTokenHandler(SalesforceOptions options, ILogger<SalesforceTokenHandler> logger) : DelegatingHandler
{
    // The handler chain of a CRM HttpClient lives as long as the app (its handler lifetime is infinite), and
    // with it this cache: one token per app, not one per HttpClient.
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private Session? _session;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(cancellationToken);
        var response = await SendAsync(session, request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        logger.SalesforceTokenRejected();
        response.Dispose();
        Invalidate(session);
        session = await GetSessionAsync(cancellationToken);
        return await SendAsync(session, request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tokenLock.Dispose();
        }

        base.Dispose(disposing);
    }

    private Task<HttpResponseMessage> SendAsync(Session session, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = new Uri(session.InstanceUrl, request.RequestUri!.PathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        return base.SendAsync(request, cancellationToken);
    }

    private async Task<Session> GetSessionAsync(CancellationToken cancellationToken)
    {
        var session = _session;
        if (session is not null)
        {
            return session;
        }

        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            return _session ??= await RequestTokenAsync(cancellationToken);
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private void Invalidate(Session rejected) => Interlocked.CompareExchange(ref _session, null, rejected);

    private async Task<Session> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var login = new Uri(options.LoginUrl!.TrimEnd('/') + "/services/oauth2/token");
        using var request = new HttpRequestMessage(HttpMethod.Post, login)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = options.ClientId!,
                ["client_secret"] = options.ClientSecret!,
            }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        CrmHttpResponse response;
        using (var message = await base.SendAsync(request, cancellationToken))
        {
            response = await CrmHttpResponse.ReadAsync(message, cancellationToken);
        }

        var json = TryParse(response.Body);
        var status = response.Status;
        if (response.IsSuccess)
        {
            var token = json?["access_token"]?.GetValue<string>();
            var instance = json?["instance_url"]?.GetValue<string>();
            if (string.IsNullOrEmpty(token) || !Uri.TryCreate(instance, UriKind.Absolute, out var instanceUrl))
            {
                throw new CrmTransientException($"Salesforce's token endpoint answered {status} without access_token and instance_url.", CrmCondition.Down, status, null);
            }

            logger.SalesforceTokenObtained(instanceUrl.GetLeftPart(UriPartial.Authority));
            return new Session(token, instanceUrl);
        }

        var error = json?["error"]?.GetValue<string>() ?? response.ReasonPhrase ?? "error";
        var description = json?["error_description"]?.GetValue<string>() ?? string.Empty;
        if (status is 400 or 401 or 403)
        {
            // invalid_client, invalid_grant, a revoked app: every lead alike is refused, so the handoffs wait for the
            // credentials to be fixed (a state of the CRM) instead of each being dead-lettered.
            throw new CrmTransientException(
                $"Salesforce refused the client credentials (HTTP {status} {error}: {description}). Check Crm:Salesforce:LoginUrl, ClientId and ClientSecret, " +
                "and that the connected app enables the client credentials flow with a 'Run As' user; waiting handoffs resume by themselves once it works.",
                CrmCondition.CredentialsRefused,
                status,
                null);
        }

        throw new CrmTransientException($"Salesforce's token endpoint answered HTTP {status} {error}.", status == 429 ? CrmCondition.Throttled : CrmCondition.Down, status, SalesforceCrmClient.RetryAfter(response));
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Session(string AccessToken, Uri InstanceUrl);
}
