using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.HubSpot;

/// <summary>
/// Update-or-create of the lead's contact over the HubSpot CRM v3 API, keyed by the lead id in a unique-value contact
/// property (<see cref="HandoffFieldMap.LeadId"/>, <c>smarketing_lead_id</c>), never by e-mail address, so two leads
/// never share a contact. One read by that property (<c>GET /crm/v3/objects/contacts/{leadId}?idProperty=...</c>) says
/// whether the contact exists and at which lifecycle stage; then one <c>POST /crm/v3/objects/contacts/batch/upsert</c>
/// with <c>idProperty</c> writes it. The e-mail address is written only when the contact is created. The lifecycle stage
/// is only ever moved forward along <see cref="HubSpotOptions.LifecycleStageOrder"/>. When HubSpot refuses the create
/// because another contact has the address (409), that contact is taken for the lead if it carries no lead id yet (a
/// contact from a form, an import or a rep), and the lead is refused naming the other lead otherwise. A retry after an
/// upsert that reached HubSpot (<see cref="CrmLeadUpsert.AlreadyUpserted"/>) sends owner, status and stage only to a
/// contact that has to be created again. Retries (429 with <c>Retry-After</c>, 5xx) belong to the HttpClient's
/// resilience handler.
/// </summary>
public sealed partial class HubSpotCrmClient : ICrmClient
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
    private readonly string _keyProperty;

    /// <summary>Creates the client on an HttpClient that carries the resilience pipeline.</summary>
    public HubSpotCrmClient(HttpClient http, HubSpotOptions options, ILogger<HubSpotCrmClient> logger)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _baseUrl = new Uri(options.BaseUrl.TrimEnd('/') + "/");
        _keyProperty = options.Properties.LeadId?.Trim() is { Length: > 0 } key
            ? key
            : throw new ArgumentException("Crm:HubSpot:Properties:LeadId must name the unique-value lead id property.", nameof(options));
    }

    /// <inheritdoc />
    public string Provider => ProviderName;

    /// <inheritdoc />
    public async Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var target = TargetStage(lead);
        var existing = await FindByLeadIdAsync(lead, cancellationToken);

        // Owner and status (property and stage) are create-only on a retry after an upsert that reached HubSpot, so a
        // rep's changes since stand; a contact that is gone (deleted or merged away) is created again with them.
        var createOnlyLeftOut = existing is not null && lead.AlreadyUpserted;
        var properties = Properties(lead, includeEmail: existing is null, includeCreateOnly: !createOnlyLeftOut);
        var stage = existing is null ? target : createOnlyLeftOut ? null : Forward(existing.Value.Id, existing.Value.Stage, target);
        if (stage is not null)
        {
            properties[LifecycleStageProperty] = stage;
        }

        var body = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["idProperty"] = _keyProperty,
                ["id"] = lead.ExternalId,
                ["properties"] = properties,
            }),
        };

        var response = await SendRawAsync(HttpMethod.Post, "crm/v3/objects/contacts/batch/upsert", body, cancellationToken);
        var json = TryParse(response.Body);
        if (ExistingContactWithTheAddress(response, json) is { } holder)
        {
            return await TakeOverOrRefuseAsync(holder, lead, target, cancellationToken);
        }

        if (!response.IsSuccess)
        {
            throw Failure(response, lead);
        }

        var errors = json?["errors"] as JsonArray;
        var result = (json?["results"] as JsonArray)?.FirstOrDefault() as JsonObject;
        if (result is null || errors is { Count: > 0 })
        {
            var message = errors?.FirstOrDefault()?["message"]?.ToString() ?? json?["message"]?.ToString() ?? response.Body;
            throw new CrmPermanentException($"HubSpot refused contact of lead '{lead.ExternalId}' (HTTP {response.Status}): {SensitiveText.Redact(message, lead.Email, lead.Phone)}");
        }

        var id = result["id"]?.ToString();
        if (string.IsNullOrEmpty(id))
        {
            throw new CrmTransientException($"HubSpot answered {response.Status} to the upsert of lead '{lead.ExternalId}' without a contact id.", CrmCondition.Down, response.Status, null);
        }

        var created = result["new"]?.GetValue<bool>() ?? existing is null;
        _logger.CrmUpserted(Provider, lead.ExternalId, id, created);
        return new CrmUpsertResult { RecordId = id, Created = created };
    }

    /// <summary>The lifecycle stage <see cref="HubSpotOptions.LifecycleStages"/> maps the lead's status to; null for none.</summary>
    private string? TargetStage(CrmLeadUpsert lead) =>
        _options.LifecycleStages.TryGetValue(lead.LeadStatus, out var stage) && !string.IsNullOrWhiteSpace(stage) ? stage.Trim() : null;

    private JsonObject Properties(CrmLeadUpsert lead, bool includeEmail, bool includeCreateOnly)
    {
        var status = _options.StatusValues.TryGetValue(lead.LeadStatus, out var mapped) && !string.IsNullOrWhiteSpace(mapped) ? mapped : lead.LeadStatus;
        var createOnly = new HashSet<string>(StringComparer.Ordinal);
        if (!includeCreateOnly)
        {
            foreach (var name in new[] { _options.Properties.Owner, _options.Properties.Status })
            {
                if (!string.IsNullOrWhiteSpace(name))
                {
                    createOnly.Add(name.Trim());
                }
            }
        }

        var properties = new JsonObject();
        foreach (var (name, value) in _options.Properties.Values(lead, status, includeEmail))
        {
            if (!createOnly.Contains(name))
            {
                // HubSpot property values are strings on the wire, numbers included.
                properties[name] = Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        return properties;
    }

    /// <summary>
    /// The stage to write to a contact at <paramref name="current"/>: <paramref name="target"/> when it is later along the
    /// configured order (or the contact has none), else null. A stage outside the order (<c>other</c>, a custom stage)
    /// cannot be placed, so it is left as it is.
    /// </summary>
    private string? Forward(string id, string? current, string? target)
    {
        if (target is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(current))
        {
            return target;
        }

        if (string.Equals(current, target, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rank = _options.StageRank(current);
        if (rank < 0 || rank > _options.StageRank(target))
        {
            _logger.HubSpotStageKept(id, current, target);
            return null;
        }

        return target;
    }

    private async Task<(string Id, string? Stage)?> FindByLeadIdAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        var path = $"crm/v3/objects/contacts/{Uri.EscapeDataString(lead.ExternalId)}?idProperty={Uri.EscapeDataString(_keyProperty)}&properties={LifecycleStageProperty}";
        var response = await SendRawAsync(HttpMethod.Get, path, null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccess)
        {
            throw Failure(response, lead);
        }

        var json = TryParse(response.Body);
        var id = json?["id"]?.ToString();
        if (string.IsNullOrEmpty(id))
        {
            throw new CrmTransientException($"HubSpot answered {response.Status} to the read of lead '{lead.ExternalId}' without a contact id.", CrmCondition.Down, response.Status, null);
        }

        return (id, json?["properties"]?[LifecycleStageProperty]?.ToString());
    }

    /// <summary>
    /// The id of the contact that already has the address, when HubSpot refused to create the lead's contact because
    /// e-mail addresses are unique per contact (409, "Contact already exists. Existing ID: 123").
    /// </summary>
    private static string? ExistingContactWithTheAddress(CrmHttpResponse response, JsonNode? json)
    {
        var messages = new List<string?> { json?["message"]?.ToString() };
        if (json?["errors"] is JsonArray errors)
        {
            messages.AddRange(errors.Select(e => e?["message"]?.ToString()));
        }

        if (response.Status != 409 && !(response.IsSuccess && messages.Count > 1))
        {
            return null;
        }

        foreach (var message in messages.OfType<string>())
        {
            if (ExistingId().Match(message) is { Success: true } match)
            {
                return match.Groups["id"].Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Another contact has the lead's address. If it carries no lead id, it is the person's contact from before (a form,
    /// an import, a rep) and becomes the lead's contact; if it is another lead's, the lead is refused: HubSpot holds one
    /// contact per address, and merging two leads into it would send one lead's feedback to the other.
    /// </summary>
    private async Task<CrmUpsertResult> TakeOverOrRefuseAsync(string holderId, CrmLeadUpsert lead, string? target, CancellationToken cancellationToken)
    {
        var path = $"crm/v3/objects/contacts/{Uri.EscapeDataString(holderId)}?properties={Uri.EscapeDataString(_keyProperty)},{LifecycleStageProperty}";
        var holder = TryParse((await SendAsync(HttpMethod.Get, path, null, lead, cancellationToken)).Text);
        var owner = holder?["properties"]?[_keyProperty]?.ToString();
        if (string.Equals(owner, lead.ExternalId, StringComparison.OrdinalIgnoreCase))
        {
            // Ours already: a concurrent delivery of this lead created it a moment ago. The next attempt updates it.
            throw new CrmTransientException($"HubSpot contact {holderId} of lead '{lead.ExternalId}' was created by another delivery a moment ago; the next attempt updates it.", null, 409, null);
        }

        if (!string.IsNullOrWhiteSpace(owner))
        {
            _logger.HubSpotAddressTaken(lead.ExternalId, holderId, owner);
            throw new CrmPermanentException(
                $"HubSpot contact {holderId} already has the e-mail address of lead '{lead.ExternalId}' and belongs to lead '{owner}'. HubSpot allows one contact per " +
                "address, so this lead is not handed off rather than merged into another lead's contact. Merge the two leads in the marketing " +
                "platform or correct one address, then replay this dead letter.");
        }

        var properties = Properties(lead, includeEmail: false, includeCreateOnly: true);
        if (Forward(holderId, holder?["properties"]?[LifecycleStageProperty]?.ToString(), target) is { } stage)
        {
            properties[LifecycleStageProperty] = stage;
        }

        _logger.HubSpotContactTakenOver(lead.ExternalId, holderId);
        await SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{Uri.EscapeDataString(holderId)}", new JsonObject { ["properties"] = properties }, lead, cancellationToken);
        _logger.CrmUpserted(Provider, lead.ExternalId, holderId, false);
        return new CrmUpsertResult { RecordId = holderId, Created = false };
    }

    private async Task<CrmHttpResponse> SendRawAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseUrl, path));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await CrmHttpResponse.SendAsync(_http, request, cancellationToken);
    }

    private async Task<(int Status, string Text)> SendAsync(HttpMethod method, string path, JsonObject? body, CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        var response = await SendRawAsync(method, path, body, cancellationToken);
        return response.IsSuccess ? (response.Status, response.Body) : throw Failure(response, lead);
    }

    private Exception Failure(CrmHttpResponse response, CrmLeadUpsert lead) =>
        Failure(response, $"lead '{lead.ExternalId}'", lead.ExternalId, lead.Email, lead.Phone);

    /// <summary>
    /// What a failed request of <paramref name="subject"/> (<c>lead 'x'</c>, or a batch) says: a state of HubSpot
    /// (<see cref="CrmTransientException"/> with its condition) or a refusal (<see cref="CrmPermanentException"/>), its
    /// message without any of the <paramref name="sensitive"/> values.
    /// </summary>
    private Exception Failure(CrmHttpResponse response, string subject, string logId, params string?[] sensitive)
    {
        var status = response.Status;
        var json = TryParse(response.Body);
        var category = json?["category"]?.ToString() ?? json?["errorType"]?.ToString() ?? response.ReasonPhrase ?? string.Empty;
        var message = SensitiveText.Redact(json?["message"]?.ToString() ?? response.Body, sensitive);
        // 409: another delivery created the same contact a moment ago; the next attempt updates it (this lead only).
        if (status is 408 or 409 or 429 || status >= 500)
        {
            _logger.CrmTransientFailure(Provider, logId, status, category);
            var retryAfter = response.RetryAfter?.Delta;
            CrmCondition? condition = status switch { 409 => null, 429 => CrmCondition.Throttled, _ => CrmCondition.Down };
            return new CrmTransientException($"HubSpot answered HTTP {status} {category} for {subject}: {message}", condition, status, retryAfter);
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
            _logger.CrmTransientFailure(Provider, logId, status, category);
            return new CrmTransientException($"HubSpot refused our credentials (HTTP {status} {category}): {message}{hint}", CrmCondition.CredentialsRefused, status, null);
        }

        // The lead id property missing or not unique refuses every lead alike too: the handoffs wait until it is created.
        if (status == 400 && NamesProperty(message, _keyProperty))
        {
            _logger.CrmTransientFailure(Provider, logId, status, category);
            return new CrmTransientException(
                $"HubSpot cannot key contacts on the property '{_keyProperty}' (HTTP {status} {category}): {message} Create it once as a contact property with " +
                $"unique values (hasUniqueValue: true, see docs/crm-hubspot.md) or fix {HubSpotOptions.SectionName}:Properties:LeadId; waiting handoffs resume by themselves once it exists.",
                CrmCondition.Misconfigured,
                status,
                null);
        }

        return new CrmPermanentException($"HubSpot refused contact of {subject} (HTTP {status} {category}): {message}");
    }

    private static bool NamesProperty(string message, string property)
    {
        var at = message.IndexOf(property, StringComparison.Ordinal);
        while (at >= 0)
        {
            var end = at + property.Length;
            var before = at == 0 || !IsNameChar(message[at - 1]);
            var after = end == message.Length || !IsNameChar(message[end]);
            if (before && after)
            {
                return true;
            }

            at = message.IndexOf(property, end, StringComparison.Ordinal);
        }

        return false;

        static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
    }

    [GeneratedRegex(@"Existing ID: ?(?<id>[0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex ExistingId();

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
