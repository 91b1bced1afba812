using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>
/// Upserts the Lead by its external-ID field over the Salesforce REST API
/// (<c>PATCH /services/data/vXX.X/sobjects/Lead/{ExternalIdField}/{leadId}</c>). The HttpClient's handlers
/// authenticate each request (<see cref="SalesforceTokenHandler"/>: client-credentials token, fetched again on
/// 401), read the API usage (<see cref="SalesforceApiLimitHandler"/>) and retry transient failures (the
/// resilience pipeline); this client classifies what is left: errors that will never succeed throw
/// <see cref="CrmPermanentException"/>, rate limits (<c>REQUEST_LIMIT_EXCEEDED</c>) and outages throw
/// <see cref="CrmTransientException"/>.
/// </summary>
public sealed partial class SalesforceCrmClient : ICrmClient
{
    /// <summary>The provider name, the value of <c>Crm:Provider</c> that selects this CRM.</summary>
    public const string ProviderName = "Salesforce";

    /// <summary>The name of the HttpClient (and its resilience pipeline) this client uses.</summary>
    public const string HttpClientName = "Smarketing.Crm.Salesforce";

    /// <summary>The header that stops Lead assignment rules from replacing the owner routing chose.</summary>
    public const string AutoAssignHeader = "Sforce-Auto-Assign";

    // Error codes that say "not now" rather than "never", with what each says about the org: the org's daily request
    // limit, a throttle, an outage, or (null) this one record (a locked row), which the queue's next delivery retries.
    private static readonly Dictionary<string, CrmCondition?> TransientErrorCodes = new(StringComparer.Ordinal)
    {
        ["REQUEST_LIMIT_EXCEEDED"] = CrmCondition.DailyLimit,
        ["CONCURRENT_REQUESTS_LIMIT_EXCEEDED"] = CrmCondition.Throttled,
        ["SERVER_UNAVAILABLE"] = CrmCondition.Down,
        ["REQUEST_RUNNING_TOO_LONG"] = CrmCondition.Down,
        ["TXN_SECURITY_NO_ACCESS_TEMPORARILY"] = CrmCondition.Down,
        ["INVALID_SESSION_ID"] = CrmCondition.CredentialsRefused,
        ["UNABLE_TO_LOCK_ROW"] = null,
    };

    private readonly HttpClient _http;
    private readonly SalesforceOptions _options;
    private readonly ILogger<SalesforceCrmClient> _logger;

    /// <summary>Creates the client on the HttpClient that <see cref="SalesforceRegistration.AddSalesforceCrm"/> registers.</summary>
    public SalesforceCrmClient(HttpClient http, SalesforceOptions options, ILogger<SalesforceCrmClient> logger)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public string Provider => ProviderName;

    /// <inheritdoc />
    public async Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var (body, createOnly) = Fields(lead);
        var response = await SendUpsertAsync(lead, body, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest && IsExternalIdRace(ParseErrors(response.Body)))
        {
            // Two deliveries created the same new Lead at once and the unique external id refused the
            // second: the record exists now, so the same upsert updates it.
            response = await SendUpsertAsync(lead, body, cancellationToken);
        }

        if (response.StatusCode == HttpStatusCode.BadRequest && MissingFieldsWithDefaults(ParseErrors(response.Body), body) is { } missing)
        {
            // A new Lead needs fields Smarketing doesn't know; send them only now so that an existing
            // record's LastName and Company are never overwritten by placeholders.
            _logger.SalesforceCreateDefaultsUsed(lead.ExternalId, string.Join(", ", missing));
            foreach (var field in missing)
            {
                body[field] = _options.CreateDefaults[field];
            }

            response = await SendUpsertAsync(lead, body, cancellationToken);
        }

        var result = Interpret(lead, response);
        if (result.Created && createOnly.Count > 0)
        {
            // The record was gone (deleted or merged away) and is new again: it gets its owner and status.
            _logger.SalesforceCreateOnlyFieldsSent(lead.ExternalId, result.RecordId);
            Interpret(lead, await SendUpsertAsync(lead, createOnly, cancellationToken));
        }

        return result;
    }

    // What an upsert of the lead sends, and (for a retry after an upsert that reached Salesforce) the create-only fields
    // held back from it: the one-lead and the collections upsert send the same fields.
    private (JsonObject Body, JsonObject CreateOnly) Fields(CrmLeadUpsert lead)
    {
        var body = new JsonObject();
        foreach (var (field, value) in Values(_options, lead))
        {
            body[field] = JsonValue.Create(value);
        }

        // A retry after an upsert that reached Salesforce: owner and status are create-only, so a rep's
        // changes since stand. The upsert by external id says whether it created the record (201).
        var createOnly = new JsonObject();
        if (lead.AlreadyUpserted)
        {
            foreach (var field in new[] { _options.Fields.Owner, _options.Fields.Status })
            {
                if (!string.IsNullOrWhiteSpace(field) && body.Remove(field.Trim(), out var value))
                {
                    createOnly[field.Trim()] = value;
                }
            }
        }

        return (body, createOnly);
    }

    // The lead's mapped Lead fields, the status as the org's picklist value: the same for every way of upserting.
    internal static IReadOnlyList<KeyValuePair<string, object>> Values(SalesforceOptions options, CrmLeadUpsert lead)
    {
        var status = options.StatusValues.TryGetValue(lead.LeadStatus, out var mapped) && !string.IsNullOrWhiteSpace(mapped) ? mapped : lead.LeadStatus;
        return options.Fields.Values(lead, status, includeEmail: true);
    }

    internal static TimeSpan? RetryAfter(CrmHttpResponse response) =>
        response.RetryAfter?.Delta
        ?? (response.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);

    private async Task<CrmHttpResponse> SendUpsertAsync(CrmLeadUpsert lead, JsonObject body, CancellationToken cancellationToken)
    {
        // Addressed to the org; the token handler sends it to the instance its token belongs to.
        var uri = new Uri(
            new Uri(_options.LoginUrl!),
            $"/services/data/{_options.ApiVersion}/sobjects/Lead/{Uri.EscapeDataString(_options.ExternalIdField)}/{Uri.EscapeDataString(lead.ExternalId)}");
        using var request = new HttpRequestMessage(HttpMethod.Patch, uri)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // Owner routing already chose the rep; assignment rules must not replace it on update.
        request.Headers.Add(AutoAssignHeader, "FALSE");
        return await CrmHttpResponse.SendAsync(_http, request, cancellationToken);
    }

    private CrmUpsertResult Interpret(CrmLeadUpsert lead, CrmHttpResponse response)
    {
        var status = response.Status;
        var text = response.Body;
        if (response.IsSuccess)
        {
            var id = TryParse(text)?["id"]?.GetValue<string>();
            if (string.IsNullOrEmpty(id))
            {
                throw new CrmTransientException($"Salesforce answered {status} to the upsert of lead '{lead.ExternalId}' without a record id.", CrmCondition.Down, status, null);
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

        ThrowIfTransient(_logger, response, errors, described, lead.ExternalId, $"the upsert of lead '{lead.ExternalId}'");
        throw new CrmPermanentException($"Salesforce refused lead '{lead.ExternalId}' (HTTP {status}): {described}");
    }

    // One classification for the one-lead upsert and the collections upsert: what a failed answer says about the org.
    internal static void ThrowIfTransient(ILogger logger, CrmHttpResponse response, List<SalesforceError> errors, string described, string subjectId, string subject)
    {
        var status = response.Status;
        var transientCode = errors.Select(e => e.Code).FirstOrDefault(c => c is not null && TransientErrorCodes.ContainsKey(c));
        if (transientCode is null && status is not (401 or 408 or 429) && status < 500)
        {
            return;
        }

        var code = transientCode ?? errors.Select(e => e.Code).FirstOrDefault(c => c is not null) ?? response.ReasonPhrase ?? string.Empty;
        logger.CrmTransientFailure(ProviderName, subjectId, status, code);
        CrmCondition? condition = transientCode is not null
            ? TransientErrorCodes[transientCode]
            : status switch { 401 => CrmCondition.CredentialsRefused, 429 => CrmCondition.Throttled, _ => CrmCondition.Down };
        var later = condition switch
        {
            CrmCondition.DailyLimit => " (the org's API request limit; handoffs wait for it, not a bad request)",
            CrmCondition.CredentialsRefused => " (the session was refused even after a new token; check the connected app's 'Run As' user)",
            _ => string.Empty,
        };
        throw new CrmTransientException($"Salesforce answered HTTP {status} to {subject}: {described}{later}", condition, status, RetryAfter(response));
    }

    // A record's error that says "not now" rather than "never": a race on the external id, a locked row, a limit.
    internal static bool IsNotNow(IEnumerable<SalesforceError> errors, string externalIdField) =>
        errors.Any(e => (e.Code is not null && TransientErrorCodes.ContainsKey(e.Code)) || IsExternalIdRace(e, externalIdField));

    private static bool IsExternalIdRace(SalesforceError e, string externalIdField) =>
        e.Code == "DUPLICATE_VALUE"
        && (e.Fields.Contains(externalIdField, StringComparer.OrdinalIgnoreCase) || e.Message.Contains(externalIdField, StringComparison.OrdinalIgnoreCase));

    private bool IsExternalIdRace(IEnumerable<SalesforceError> errors) =>
        errors.Any(e => IsExternalIdRace(e, _options.ExternalIdField));

    private List<string>? MissingFieldsWithDefaults(IEnumerable<SalesforceError> errors, JsonObject body)
    {
        var missing = errors
            .Where(e => e.Code == "REQUIRED_FIELD_MISSING")
            .SelectMany(e => e.Fields)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return missing.Count > 0
            && missing.All(f => !body.ContainsKey(f) && _options.CreateDefaults.TryGetValue(f, out var value) && !string.IsNullOrEmpty(value))
            ? missing
            : null;
    }

    internal static JsonNode? TryParse(string text)
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

    internal static List<SalesforceError> ParseErrors(string text) => ParseErrors(TryParse(text));

    internal static List<SalesforceError> ParseErrors(JsonNode? json)
    {
        var errors = new List<SalesforceError>();
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

    internal static string Describe(List<SalesforceError> errors, string text)
    {
        if (errors.Count == 0)
        {
            return text.Length > 300 ? text[..300] : text;
        }

        return string.Join("; ", errors.Select(e =>
            $"{e.Code}: {e.Message}" + (e.Fields.Count > 0 ? $" (fields: {string.Join(", ", e.Fields)})" : string.Empty)));
    }

    internal sealed record SalesforceError(string? Code, string Message, IReadOnlyList<string> Fields);
}
