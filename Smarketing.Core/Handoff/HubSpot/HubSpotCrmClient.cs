using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.HubSpot;

/// <summary>
/// Update-or-create of the contact by e-mail address over the HubSpot CRM v3 API
/// (<c>POST /crm/v3/objects/contacts/batch/upsert</c> with <c>idProperty=email</c>), authenticated with a
/// private app's bearer token. HubSpot silently ignores a lifecycle stage that is earlier than the contact's
/// current one; when the stage it kept differs from the one sent, the stage is cleared and then set in two
/// requests, unless the contact sits at a protected stage. A retry after an upsert that reached HubSpot
/// (<see cref="CrmLeadUpsert.AlreadyUpserted"/>) sends owner, status and stage only to a contact that is new. Retries (429 with <c>Retry-After</c>, 5xx) belong
/// to the HttpClient's resilience handler.
/// </summary>
public sealed class HubSpotCrmClient : ICrmClient
{
    /// <summary>The provider name, the value of <c>Crm:Provider</c> that selects this CRM.</summary>
    public const string ProviderName = "HubSpot";

    /// <summary>The name of the HttpClient (and its resilience pipeline) this client uses.</summary>
    public const string HttpClientName = "Smarketing.Crm.HubSpot";

    /// <summary>The contact property of the lifecycle stage.</summary>
    public const string LifecycleStageProperty = "lifecyclestage";

    private readonly HttpClient _http;
    private readonly HubSpotOptions _options;
    private readonly ILogger<HubSpotCrmClient> _logger;
    private readonly Uri _baseUrl;

    /// <summary>Creates the client on an HttpClient that carries the resilience pipeline.</summary>
    public HubSpotCrmClient(HttpClient http, HubSpotOptions options, ILogger<HubSpotCrmClient> logger)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _baseUrl = new Uri(options.BaseUrl.TrimEnd('/') + "/");
    }

    /// <inheritdoc />
    public string Provider => ProviderName;

    /// <inheritdoc />
    public async Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var properties = new JsonObject();
        var status = _options.StatusValues.TryGetValue(lead.LeadStatus, out var mapped) && !string.IsNullOrWhiteSpace(mapped) ? mapped : lead.LeadStatus;
        foreach (var (name, value) in _options.Properties.Values(lead, status, includeEmail: false))
        {
            // HubSpot property values are strings on the wire, numbers included.
            properties[name] = Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        var stage = _options.LifecycleStages.TryGetValue(lead.LeadStatus, out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
        if (stage is not null)
        {
            properties[LifecycleStageProperty] = stage;
        }

        // A retry after an upsert that reached HubSpot: owner and status (property and lifecycle stage) are
        // create-only, so a rep's changes since stand. The batch upsert says per contact whether it is new.
        var createOnly = new JsonObject();
        if (lead.AlreadyUpserted)
        {
            foreach (var name in new[] { _options.Properties.Owner, _options.Properties.Status, LifecycleStageProperty })
            {
                if (!string.IsNullOrWhiteSpace(name) && properties.Remove(name.Trim(), out var value))
                {
                    createOnly[name.Trim()] = value;
                }
            }
        }

        var body = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["idProperty"] = "email",
                ["id"] = lead.Email,
                ["properties"] = properties,
            }),
        };

        var (status1, text) = await SendAsync(HttpMethod.Post, "crm/v3/objects/contacts/batch/upsert", body, lead, cancellationToken);
        var json = TryParse(text);
        var errors = json?["errors"] as JsonArray;
        var result = (json?["results"] as JsonArray)?.FirstOrDefault() as JsonObject;
        if (result is null || errors is { Count: > 0 })
        {
            var message = errors?.FirstOrDefault()?["message"]?.ToString() ?? json?["message"]?.ToString() ?? text;
            throw new CrmPermanentException($"HubSpot refused contact of lead '{lead.ExternalId}' (HTTP {status1}): {SensitiveText.Redact(message, lead.Email, lead.Phone)}");
        }

        var id = result["id"]?.ToString();
        if (string.IsNullOrEmpty(id))
        {
            throw new CrmTransientException($"HubSpot answered {status1} to the upsert of lead '{lead.ExternalId}' without a contact id.", CrmCondition.Down, status1, null);
        }

        var created = result["new"]?.GetValue<bool>() ?? false;
        if (lead.AlreadyUpserted)
        {
            if (created && createOnly.Count > 0)
            {
                // The contact was gone (deleted or merged away) and is new again: it gets its owner and status.
                _logger.HubSpotCreateOnlyPropertiesSent(id);
                var (_, patched) = await SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{Uri.EscapeDataString(id)}", new JsonObject { ["properties"] = createOnly }, lead, cancellationToken);
                if (stage is not null)
                {
                    await EnsureStageAsync(id, TryParse(patched)?["properties"]?[LifecycleStageProperty]?.ToString(), stage, lead, cancellationToken);
                }
            }
        }
        else if (stage is not null)
        {
            var kept = result["properties"] is JsonObject props && props.ContainsKey(LifecycleStageProperty)
                ? props[LifecycleStageProperty]?.ToString()
                : await ReadStageAsync(id, lead, cancellationToken);
            await EnsureStageAsync(id, kept, stage, lead, cancellationToken);
        }

        _logger.CrmUpserted(Provider, lead.ExternalId, id, created);
        return new CrmUpsertResult { RecordId = id, Created = created };
    }

    private async Task EnsureStageAsync(string id, string? current, string target, CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        if (string.Equals(current, target, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (current is not null && _options.ProtectedStageSet.Contains(current))
        {
            _logger.HubSpotStageProtected(id, current, target);
            return;
        }

        // HubSpot only moves a stage forward; an earlier stage is taken only after the field was cleared,
        // and the two writes must be separate requests.
        _logger.HubSpotStageCleared(id, current ?? string.Empty, target);
        await SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{Uri.EscapeDataString(id)}", Properties(string.Empty), lead, cancellationToken);
        await SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{Uri.EscapeDataString(id)}", Properties(target), lead, cancellationToken);

        static JsonObject Properties(string stage) => new() { ["properties"] = new JsonObject { [LifecycleStageProperty] = stage } };
    }

    private async Task<string?> ReadStageAsync(string id, CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        var (_, text) = await SendAsync(HttpMethod.Get, $"crm/v3/objects/contacts/{Uri.EscapeDataString(id)}?properties={LifecycleStageProperty}", null, lead, cancellationToken);
        return TryParse(text)?["properties"]?[LifecycleStageProperty]?.ToString();
    }

    private async Task<(int Status, string Text)> SendAsync(HttpMethod method, string path, JsonObject? body, CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseUrl, path));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await CrmHttpResponse.SendAsync(_http, request, cancellationToken);
        var status = response.Status;
        var text = response.Body;
        if (response.IsSuccess)
        {
            return (status, text);
        }

        var json = TryParse(text);
        var category = json?["category"]?.ToString() ?? json?["errorType"]?.ToString() ?? response.ReasonPhrase ?? string.Empty;
        var message = SensitiveText.Redact(json?["message"]?.ToString() ?? text, lead.Email, lead.Phone);
        // 409: another delivery created the same contact a moment ago; the next attempt updates it (this lead only).
        if (status is 408 or 409 or 429 || status >= 500)
        {
            _logger.CrmTransientFailure(Provider, lead.ExternalId, status, category);
            var retryAfter = response.RetryAfter?.Delta;
            CrmCondition? condition = status switch { 409 => null, 429 => CrmCondition.Throttled, _ => CrmCondition.Down };
            throw new CrmTransientException($"HubSpot answered HTTP {status} {category} for lead '{lead.ExternalId}': {message}", condition, status, retryAfter);
        }

        // A token HubSpot refuses (expired, revoked, missing a scope) refuses every lead alike: a state of the CRM, and
        // the handoffs wait until it is fixed instead of each being dead-lettered.
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => " Check Crm:HubSpot:AccessToken (the private app's token); waiting handoffs resume by themselves once it works.",
            HttpStatusCode.Forbidden => " The private app needs the crm.objects.contacts.read and crm.objects.contacts.write scopes; waiting handoffs resume by themselves once it has them.",
            _ => null,
        };
        if (hint is not null)
        {
            _logger.CrmTransientFailure(Provider, lead.ExternalId, status, category);
            throw new CrmTransientException($"HubSpot refused our credentials (HTTP {status} {category}): {message}{hint}", CrmCondition.CredentialsRefused, status, null);
        }

        throw new CrmPermanentException($"HubSpot refused contact of lead '{lead.ExternalId}' (HTTP {status} {category}): {message}");
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
}
