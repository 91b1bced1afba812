using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>
/// Upserts the Lead by its external-ID field over the Salesforce REST API
/// (<c>PATCH /services/data/vXX.X/sobjects/Lead/{ExternalIdField}/{leadId}</c>), authenticated with the
/// OAuth 2.0 client-credentials flow. The token is cached and fetched again when Salesforce answers 401.
/// Retries of transient failures belong to the <see cref="HttpClient"/>'s resilience handler; this client
/// classifies what is left: errors that will never succeed throw <see cref="CrmPermanentException"/>,
/// rate limits (<c>REQUEST_LIMIT_EXCEEDED</c>) and outages throw <see cref="CrmTransientException"/>.
/// </summary>
public sealed class SalesforceCrmClient : ICrmClient, IDisposable
{
    /// <summary>The name of the HttpClient (and its resilience pipeline) this client uses.</summary>
    public const string HttpClientName = "Smarketing.Crm.Salesforce";

    /// <summary>The header that stops Lead assignment rules from replacing the owner routing chose.</summary>
    public const string AutoAssignHeader = "Sforce-Auto-Assign";

    /// <summary>The header that reports the org's API usage.</summary>
    public const string LimitInfoHeader = "Sforce-Limit-Info";

    // Error codes that say "not now" rather than "never": the queue's next delivery is worth it.
    private static readonly HashSet<string> TransientErrorCodes = new(StringComparer.Ordinal)
    {
        "REQUEST_LIMIT_EXCEEDED", "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG",
        "TXN_SECURITY_NO_ACCESS_TEMPORARILY", "CONCURRENT_REQUESTS_LIMIT_EXCEEDED",
    };

    private readonly HttpClient _http;
    private readonly SalesforceOptions _options;
    private readonly ILogger<SalesforceCrmClient> _logger;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private Session? _session;

    /// <summary>Creates the client on an HttpClient that carries the resilience pipeline.</summary>
    public SalesforceCrmClient(HttpClient http, SalesforceOptions options, ILogger<SalesforceCrmClient> logger)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public string Provider => "Salesforce";

    /// <summary>The latest API usage Salesforce reported (used, limit), if any.</summary>
    public (long Used, long Limit)? LastApiUsage { get; private set; }

    /// <inheritdoc />
    public async Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var body = new JsonObject();
        var status = _options.StatusValues.TryGetValue(lead.LeadStatus, out var mapped) && !string.IsNullOrWhiteSpace(mapped) ? mapped : lead.LeadStatus;
        foreach (var (field, value) in _options.Fields.Values(lead, status, includeEmail: true))
        {
            body[field] = JsonValue.Create(value);
        }

        var (response, text) = await SendUpsertAsync(lead, body, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest && IsExternalIdRace(text))
        {
            // Two deliveries created the same new Lead at once and the unique external id refused the
            // second: the record exists now, so the same upsert updates it.
            response.Dispose();
            (response, text) = await SendUpsertAsync(lead, body, cancellationToken);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.BadRequest && MissingFieldsWithDefaults(text, body) is { } missing)
            {
                // A new Lead needs fields Smarketing doesn't know; send them only now so that an existing
                // record's LastName and Company are never overwritten by placeholders.
                _logger.SalesforceCreateDefaultsUsed(lead.ExternalId, string.Join(", ", missing));
                foreach (var field in missing)
                {
                    body[field] = _options.CreateDefaults[field];
                }

                response.Dispose();
                (var retried, text) = await SendUpsertAsync(lead, body, cancellationToken);
                using (retried)
                {
                    return Interpret(lead, retried, text);
                }
            }

            return Interpret(lead, response, text);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _tokenLock.Dispose();

    private async Task<(HttpResponseMessage Response, string Text)> SendUpsertAsync(CrmLeadUpsert lead, JsonObject body, CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(cancellationToken);
        var (response, text) = await SendAsync(session, lead, body, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return (response, text);
        }

        _logger.SalesforceTokenRejected();
        response.Dispose();
        Invalidate(session);
        session = await GetSessionAsync(cancellationToken);
        return await SendAsync(session, lead, body, cancellationToken);
    }

    private async Task<(HttpResponseMessage, string)> SendAsync(Session session, CrmLeadUpsert lead, JsonObject body, CancellationToken cancellationToken)
    {
        var uri = new Uri(
            session.InstanceUrl,
            $"/services/data/{_options.ApiVersion}/sobjects/Lead/{Uri.EscapeDataString(_options.ExternalIdField)}/{Uri.EscapeDataString(lead.ExternalId)}");
        using var request = new HttpRequestMessage(HttpMethod.Patch, uri)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // Owner routing already chose the rep; assignment rules must not replace it on update.
        request.Headers.Add(AutoAssignHeader, "FALSE");
        var response = await _http.SendAsync(request, cancellationToken);
        ReadLimitInfo(response);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response, text);
    }

    private CrmUpsertResult Interpret(CrmLeadUpsert lead, HttpResponseMessage response, string text)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            var id = TryParse(text)?["id"]?.GetValue<string>();
            if (string.IsNullOrEmpty(id))
            {
                throw new CrmTransientException($"Salesforce answered {status} to the upsert of lead '{lead.ExternalId}' without a record id.", status, null);
            }

            var created = response.StatusCode == HttpStatusCode.Created || TryParse(text)?["created"]?.GetValue<bool>() == true;
            _logger.CrmUpserted(Provider, lead.ExternalId, id, created);
            return new CrmUpsertResult { RecordId = id, Created = created };
        }

        var errors = ParseErrors(text);
        var described = SensitiveText.Redact(Describe(errors, text), lead.Email, lead.Phone);
        if (response.StatusCode == HttpStatusCode.MultipleChoices)
        {
            throw new CrmPermanentException($"Salesforce refused lead '{lead.ExternalId}': more than one Lead has {_options.ExternalIdField} = '{lead.ExternalId}' (HTTP 300); merge them, then replay.");
        }

        var transientCode = errors.Select(e => e.Code).FirstOrDefault(c => c is not null && TransientErrorCodes.Contains(c));
        if (transientCode is not null || status is 401 or 408 or 429 || status >= 500)
        {
            var code = transientCode ?? errors.Select(e => e.Code).FirstOrDefault(c => c is not null) ?? response.ReasonPhrase ?? string.Empty;
            _logger.CrmTransientFailure(Provider, lead.ExternalId, status, code);
            var later = transientCode == "REQUEST_LIMIT_EXCEEDED" ? " (the org's API request limit; retried later, not a bad request)" : string.Empty;
            throw new CrmTransientException($"Salesforce answered HTTP {status} to the upsert of lead '{lead.ExternalId}': {described}{later}", status, RetryAfter(response));
        }

        throw new CrmPermanentException($"Salesforce refused lead '{lead.ExternalId}' (HTTP {status}): {described}");
    }

    private bool IsExternalIdRace(string text) =>
        ParseErrors(text).Any(e => e.Code == "DUPLICATE_VALUE"
            && (e.Fields.Contains(_options.ExternalIdField, StringComparer.OrdinalIgnoreCase) || e.Message.Contains(_options.ExternalIdField, StringComparison.OrdinalIgnoreCase)));

    private List<string>? MissingFieldsWithDefaults(string text, JsonObject body)
    {
        var missing = ParseErrors(text)
            .Where(e => e.Code == "REQUIRED_FIELD_MISSING")
            .SelectMany(e => e.Fields)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return missing.Count > 0
            && missing.All(f => !body.ContainsKey(f) && _options.CreateDefaults.TryGetValue(f, out var value) && !string.IsNullOrEmpty(value))
            ? missing
            : null;
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
        var login = new Uri(_options.LoginUrl!.TrimEnd('/') + "/services/oauth2/token");
        using var request = new HttpRequestMessage(HttpMethod.Post, login)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = _options.ClientId!,
                ["client_secret"] = _options.ClientSecret!,
            }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = TryParse(text);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            var token = json?["access_token"]?.GetValue<string>();
            var instance = json?["instance_url"]?.GetValue<string>();
            if (string.IsNullOrEmpty(token) || !Uri.TryCreate(instance, UriKind.Absolute, out var instanceUrl))
            {
                throw new CrmTransientException($"Salesforce's token endpoint answered {status} without access_token and instance_url.", status, null);
            }

            _logger.SalesforceTokenObtained(instanceUrl.GetLeftPart(UriPartial.Authority));
            return new Session(token, instanceUrl);
        }

        var error = json?["error"]?.GetValue<string>() ?? response.ReasonPhrase ?? "error";
        var description = json?["error_description"]?.GetValue<string>() ?? string.Empty;
        if (status is 400 or 401 or 403)
        {
            throw new CrmPermanentException(
                $"Salesforce refused the client credentials (HTTP {status} {error}: {description}). Check Crm:Salesforce:LoginUrl, ClientId and ClientSecret, " +
                "and that the connected app enables the client credentials flow with a 'Run As' user; then replay the poisoned handoffs.");
        }

        throw new CrmTransientException($"Salesforce's token endpoint answered HTTP {status} {error}.", status, RetryAfter(response));
    }

    private void ReadLimitInfo(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(LimitInfoHeader, out var values))
        {
            return;
        }

        // e.g. "api-usage=18/5000" (possibly followed by ", per-app-api-usage=...").
        foreach (var part in string.Join(',', values).Split(',', StringSplitOptions.TrimEntries))
        {
            if (!part.StartsWith("api-usage=", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var numbers = part["api-usage=".Length..].Split('/');
            if (numbers.Length == 2
                && long.TryParse(numbers[0], NumberStyles.None, CultureInfo.InvariantCulture, out var used)
                && long.TryParse(numbers[1], NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
                && limit > 0)
            {
                LastApiUsage = (used, limit);
                var percent = (int)(used * 100 / limit);
                if (percent >= _options.ApiUsageWarningPercent)
                {
                    _logger.SalesforceApiUsageHigh(used, limit, percent, _options.ApiUsageWarningPercent);
                }
                else
                {
                    _logger.SalesforceApiUsage(used, limit, percent);
                }
            }
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta
        ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);

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

    internal static List<SalesforceError> ParseErrors(string text)
    {
        var errors = new List<SalesforceError>();
        var json = TryParse(text);
        var items = json switch
        {
            JsonArray array => array,
            JsonObject obj when obj["errors"] is JsonArray nested => nested,
            JsonObject obj => new JsonArray(obj.DeepClone()),
            _ => [],
        };
        foreach (var item in items)
        {
            if (item is not JsonObject error)
            {
                continue;
            }

            var fields = error["fields"] is JsonArray f ? f.Select(x => x?.ToString() ?? string.Empty).Where(x => x.Length > 0).ToList() : [];
            errors.Add(new SalesforceError(
                error["errorCode"]?.ToString() ?? error["statusCode"]?.ToString(),
                error["message"]?.ToString() ?? string.Empty,
                fields));
        }

        return errors;
    }

    private static string Describe(List<SalesforceError> errors, string text)
    {
        if (errors.Count == 0)
        {
            return text.Length > 300 ? text[..300] : text;
        }

        return string.Join("; ", errors.Select(e =>
            $"{e.Code}: {e.Message}" + (e.Fields.Count > 0 ? $" (fields: {string.Join(", ", e.Fields)})" : string.Empty)));
    }

    internal sealed record SalesforceError(string? Code, string Message, IReadOnlyList<string> Fields);

    private sealed record Session(string AccessToken, Uri InstanceUrl);
}
