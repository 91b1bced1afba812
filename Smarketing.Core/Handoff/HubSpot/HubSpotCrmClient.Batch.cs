using System.Globalization;
using System.Text.Json.Nodes;
using Smarketing.Core.Handoff.Batch;

namespace Smarketing.Core.Handoff.HubSpot;

/// <summary>
/// The batched handoff over HubSpot: ONE <c>POST /crm/v3/objects/contacts/batch/upsert</c> per call (at most
/// <see cref="BatchLimit"/> leads) with <c>idProperty</c> = the lead id property. Unlike the one-lead path it reads nothing
/// first (unless <see cref="HubSpotOptions.BatchReadFirst"/>), so every input carries the properties the one-lead path sends
/// to a new contact: the e-mail address included (an existing contact's address is written too) and the target lifecycle
/// stage, relying on HubSpot's rule that the API only moves a lifecycle stage forward. The trade-off: one request per 100
/// leads instead of two per lead; on a portal that takes an earlier stage from the API, a contact a rep has moved further
/// along is moved back to the target stage. <see cref="HubSpotOptions.BatchReadFirst"/> adds one
/// <c>POST /crm/v3/objects/contacts/batch/read</c> by the lead id property before the upsert and then sends exactly what the
/// one-lead path would (no address for an existing contact, a stage only when it moves forward along
/// <see cref="HubSpotOptions.LifecycleStageOrder"/>). A lead with <see cref="CrmLeadUpsert.AlreadyUpserted"/> is sent
/// without owner, status and stage, as the one-lead path does for a contact that still exists; when HubSpot answers that
/// the upsert created it again (<c>new: true</c>, the contact was deleted or merged away), one more upsert of just those
/// contacts gives them owner, status and stage.
/// <para>
/// Per record: a result is <see cref="CrmBatchOutcomeKind.Succeeded"/>; HubSpot's "Contact already exists. Existing ID: N"
/// (another contact has the address) is <see cref="CrmBatchOutcomeKind.HandOffAlone"/>, for the one-lead path to take that
/// contact over or refuse the lead; a validation error is <see cref="CrmBatchOutcomeKind.Refused"/> with HubSpot's message
/// without the lead's e-mail address and phone number; a conflict, lock or rate limit of one record, and a lead HubSpot's
/// answer names neither in its results nor in its errors, is <see cref="CrmBatchOutcomeKind.Retry"/>; an error of a kind
/// not known here is <see cref="CrmBatchOutcomeKind.HandOffAlone"/>. A failure of the whole request throws as the one-lead
/// path does (429, 5xx, 401/403, the lead id property missing); a whole-request refusal that names its leads refuses those
/// and retries the others, one that names none refuses a batch of one and sends the leads of a larger batch alone.
/// </para>
/// </summary>
public sealed partial class HubSpotCrmClient : IBatchCrmClient
{
    /// <summary>The most inputs HubSpot takes in one batch request.</summary>
    public const int BatchLimit = 100;

    private const string BatchUpsertPath = "crm/v3/objects/contacts/batch/upsert";

    /// <inheritdoc />
    public int MaxBatchSize => BatchLimit;

    /// <inheritdoc />
    public async Task<IReadOnlyList<CrmBatchOutcome>> UpsertLeadsAsync(IReadOnlyList<CrmLeadUpsert> leads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leads);
        if (leads.Count > BatchLimit)
        {
            throw new ArgumentException($"HubSpot takes at most {BatchLimit} contacts per batch upsert; {leads.Count} leads were given.", nameof(leads));
        }

        if (leads.Count == 0)
        {
            return [];
        }

        // HubSpot compares unique values case-insensitively and refuses a batch that names a contact twice.
        var byId = new Dictionary<string, CrmLeadUpsert>(StringComparer.OrdinalIgnoreCase);
        foreach (var lead in leads)
        {
            if (lead is null)
            {
                throw new ArgumentException("The batch holds a null lead.", nameof(leads));
            }

            if (!byId.TryAdd(lead.ExternalId, lead))
            {
                throw new ArgumentException($"Lead '{lead.ExternalId}' is in the batch twice; HubSpot refuses a batch that names one contact twice.", nameof(leads));
            }
        }

        var batch = new BatchText(leads);
        var existing = _options.BatchReadFirst ? await ReadBatchAsync(leads, batch, cancellationToken) : null;
        var leftOut = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var inputs = new JsonArray();
        foreach (var lead in leads)
        {
            (string Id, string? Stage)? found = existing is not null && existing.TryGetValue(lead.ExternalId, out var contact) ? contact : null;
            var knownMissing = existing is not null && found is null;

            // As the one-lead path: owner and status (property and stage) are create-only on a retry after an upsert that
            // reached HubSpot. Without a read the contact may be gone; the answer's "new" says so, and it is fixed below.
            var createOnlyLeftOut = lead.AlreadyUpserted && !knownMissing;
            var properties = Properties(lead, includeEmail: found is null, includeCreateOnly: !createOnlyLeftOut);
            var target = TargetStage(lead);
            var stage = createOnlyLeftOut ? null : found is { } f ? Forward(f.Id, f.Stage, target) : target;
            if (stage is not null)
            {
                properties[LifecycleStageProperty] = stage;
            }

            if (createOnlyLeftOut)
            {
                leftOut.Add(lead.ExternalId);
            }

            inputs.Add(Input(lead, properties));
        }

        var response = await SendRawAsync(HttpMethod.Post, BatchUpsertPath, new JsonObject { ["inputs"] = inputs }, cancellationToken);
        var json = TryParse(response.Body);
        var outcomes = response.IsSuccess ? Outcomes(json, response.Status, leads, byId, batch) : WholeBatchRefused(response, json, leads, byId, batch);

        var recreated = outcomes.Where(o => o.Kind == CrmBatchOutcomeKind.Succeeded && o.Created && leftOut.Contains(o.ExternalId)).ToList();
        if (recreated.Count > 0)
        {
            outcomes = await CompleteRecreatedAsync(outcomes, recreated, byId, batch, cancellationToken);
        }

        _logger.HubSpotBatchUpserted(
            leads.Count,
            outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Succeeded),
            outcomes.Count(o => o.Created),
            outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Refused),
            outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Retry),
            outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.HandOffAlone));
        return outcomes;
    }

    private JsonObject Input(CrmLeadUpsert lead, JsonObject properties) => new()
    {
        ["idProperty"] = _keyProperty,
        ["id"] = lead.ExternalId,
        ["properties"] = properties,
    };

    /// <summary>
    /// The contacts of <paramref name="leads"/> that exist, by lead id, with their lifecycle stage: one
    /// <c>POST /crm/v3/objects/contacts/batch/read</c> by the lead id property. HubSpot answers the ones it lacks as
    /// <c>OBJECT_NOT_FOUND</c> errors (207); a read HubSpot refuses as a request (not a state of HubSpot) leaves the batch
    /// to the upsert without a read.
    /// </summary>
    private async Task<Dictionary<string, (string Id, string? Stage)>?> ReadBatchAsync(IReadOnlyList<CrmLeadUpsert> leads, BatchText batch, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["idProperty"] = _keyProperty,
            ["properties"] = new JsonArray(_keyProperty, LifecycleStageProperty),
            ["inputs"] = new JsonArray([.. leads.Select(l => (JsonNode)new JsonObject { ["id"] = l.ExternalId })]),
        };
        var response = await SendRawAsync(HttpMethod.Post, "crm/v3/objects/contacts/batch/read", body, cancellationToken);
        if (!response.IsSuccess)
        {
            var failure = Failure(response, batch.Subject, batch.LogId, batch.Sensitive);
            if (failure is CrmTransientException)
            {
                throw failure;
            }

            _logger.HubSpotBatchReadRefused(batch.LogId, response.Status);
            return null;
        }

        var found = new Dictionary<string, (string Id, string? Stage)>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in TryParse(response.Body)?["results"] as JsonArray ?? [])
        {
            var key = result?["properties"]?[_keyProperty]?.ToString();
            var id = result?["id"]?.ToString();
            if (!string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(id))
            {
                found[key] = (id, result?["properties"]?[LifecycleStageProperty]?.ToString());
            }
        }

        return found;
    }

    /// <summary>One outcome per lead, in the batch's order, from a 200/201/207 answer's <c>results</c> and <c>errors</c>.</summary>
    private List<CrmBatchOutcome> Outcomes(JsonNode? json, int status, IReadOnlyList<CrmLeadUpsert> leads, Dictionary<string, CrmLeadUpsert> byId, BatchText batch)
    {
        var outcomes = new Dictionary<string, CrmBatchOutcome>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in json?["results"] as JsonArray ?? [])
        {
            var key = result?["properties"]?[_keyProperty]?.ToString();
            var id = result?["id"]?.ToString();
            if (key is null || string.IsNullOrEmpty(id) || !byId.TryGetValue(key, out var lead))
            {
                continue;
            }

            var created = result?["new"] is JsonValue value && value.TryGetValue<bool>(out var isNew) && isNew;
            outcomes[lead.ExternalId] = CrmBatchOutcome.Success(lead.ExternalId, id, created);
        }

        var unnamed = new List<JsonNode>();
        foreach (var error in (json?["errors"] as JsonArray ?? []).OfType<JsonNode>())
        {
            var named = NamedLeads(error, byId);
            if (named.Count == 0)
            {
                unnamed.Add(error);
            }

            foreach (var lead in named)
            {
                outcomes.TryAdd(lead.ExternalId, RecordError(lead, error, batch));
            }
        }

        var missing = leads.Where(l => !outcomes.ContainsKey(l.ExternalId)).ToList();
        if (missing.Count == 1 && unnamed.Count == 1)
        {
            // The one error naming no lead is the one lead without an answer's.
            outcomes[missing[0].ExternalId] = RecordError(missing[0], unnamed[0], batch);
            missing.Clear();
        }

        foreach (var lead in missing)
        {
            var also = unnamed.Count == 0
                ? string.Empty
                : $"; the answer held {unnamed.Count} error(s) naming no lead, the first: {SensitiveText.Redact(unnamed[0]["message"]?.ToString() ?? string.Empty, batch.Sensitive)}";
            outcomes[lead.ExternalId] = CrmBatchOutcome.Failed(
                lead.ExternalId,
                CrmBatchOutcomeKind.Retry,
                $"HubSpot's answer (HTTP {status}) to the batch upsert named lead '{lead.ExternalId}' neither in its results nor in its errors{also}.");
        }

        return [.. leads.Select(l => outcomes[l.ExternalId])];
    }

    /// <summary>
    /// What HubSpot's error for one record of a batch means for it; its message without the contact data of any lead of the
    /// batch (one error may name several inputs).
    /// </summary>
    private static CrmBatchOutcome RecordError(CrmLeadUpsert lead, JsonNode error, BatchText batch)
    {
        var raw = error["message"]?.ToString() ?? error.ToJsonString();
        var message = SensitiveText.Redact(raw, batch.Sensitive);
        var category = error["category"]?.ToString() ?? string.Empty;
        var code = int.TryParse(error["status"]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : (int?)null;
        if (ExistingId().Match(raw) is { Success: true } holder)
        {
            return CrmBatchOutcome.Failed(
                lead.ExternalId,
                CrmBatchOutcomeKind.HandOffAlone,
                $"HubSpot contact {holder.Groups["id"].Value} already has the e-mail address of lead '{lead.ExternalId}' ({category}): the one-lead handoff takes that contact over or refuses the lead.");
        }

        if (category is "VALIDATION_ERROR" || category.StartsWith("INVALID", StringComparison.Ordinal) || code == 400)
        {
            return CrmBatchOutcome.Failed(lead.ExternalId, CrmBatchOutcomeKind.Refused, $"HubSpot refused contact of lead '{lead.ExternalId}' ({category}): {message}");
        }

        var kind = category is "CONFLICT" or "RATE_LIMITS" or "RATE_LIMIT" or "LOCKED" or "TIMEOUT" || code is 408 or 409 or 423 or 429 or >= 500
            ? CrmBatchOutcomeKind.Retry
            : CrmBatchOutcomeKind.HandOffAlone;
        return CrmBatchOutcome.Failed(lead.ExternalId, kind, $"HubSpot did not upsert contact of lead '{lead.ExternalId}' ({category}): {message}");
    }

    /// <summary>The batch's leads an error names in its <c>context.ids</c>.</summary>
    private static List<CrmLeadUpsert> NamedLeads(JsonNode? error, Dictionary<string, CrmLeadUpsert> byId) =>
        [.. (error?["context"]?["ids"] as JsonArray ?? [])
            .Select(id => id?.ToString())
            .OfType<string>()
            .Select(id => byId.GetValueOrDefault(id))
            .OfType<CrmLeadUpsert>()
            .Distinct()];

    /// <summary>
    /// HubSpot answered the whole request with an error. A state of HubSpot (429, 5xx, credentials, the lead id property)
    /// throws as the one-lead path does. "Contact already exists" sends every lead alone (the answer does not say whose
    /// address it is). A refusal names its leads (refused; the others retry), or refuses a batch of one, or sends each lead
    /// of a larger batch alone, where the one-lead path finds and refuses just the one at fault.
    /// </summary>
    private List<CrmBatchOutcome> WholeBatchRefused(CrmHttpResponse response, JsonNode? json, IReadOnlyList<CrmLeadUpsert> leads, Dictionary<string, CrmLeadUpsert> byId, BatchText batch)
    {
        if (response.Status == 409 && ExistingContactWithTheAddress(response, json) is not null)
        {
            return leads.Count == 1
                ? [RecordError(leads[0], json!, batch)]
                : [.. leads.Select(l => CrmBatchOutcome.Failed(
                    l.ExternalId,
                    CrmBatchOutcomeKind.HandOffAlone,
                    $"HubSpot refused the batch upsert of {leads.Count} leads because a contact already has the e-mail address of one of them: each is handed off alone."))];
        }

        var failure = Failure(response, batch.Subject, batch.LogId, batch.Sensitive);
        if (failure is not CrmPermanentException)
        {
            throw failure;
        }

        var errors = new List<JsonNode>();
        if (json is not null)
        {
            errors.Add(json);
            errors.AddRange((json["errors"] as JsonArray ?? []).OfType<JsonNode>());
        }

        var refused = new Dictionary<string, CrmBatchOutcome>(StringComparer.OrdinalIgnoreCase);
        foreach (var error in errors)
        {
            foreach (var lead in NamedLeads(error, byId))
            {
                refused.TryAdd(lead.ExternalId, RecordError(lead, error, batch));
            }
        }

        if (refused.Count > 0)
        {
            return [.. leads.Select(l => refused.GetValueOrDefault(l.ExternalId) ?? CrmBatchOutcome.Failed(
                l.ExternalId,
                CrmBatchOutcomeKind.Retry,
                $"HubSpot refused the batch upsert (HTTP {response.Status}) for other leads of the batch; this one was not written."))];
        }

        return leads.Count == 1
            ? [CrmBatchOutcome.Failed(leads[0].ExternalId, CrmBatchOutcomeKind.Refused, failure.Message)]
            : [.. leads.Select(l => CrmBatchOutcome.Failed(l.ExternalId, CrmBatchOutcomeKind.HandOffAlone, failure.Message))];
    }

    /// <summary>
    /// Leads sent without owner, status and stage (a retry after an upsert that reached HubSpot) whose contact HubSpot had
    /// to create again: one more upsert gives them what a new contact gets. One that still fails is handed off alone.
    /// </summary>
    private async Task<List<CrmBatchOutcome>> CompleteRecreatedAsync(
        List<CrmBatchOutcome> outcomes, List<CrmBatchOutcome> recreated, Dictionary<string, CrmLeadUpsert> byId, BatchText batch, CancellationToken cancellationToken)
    {
        var inputs = new JsonArray();
        foreach (var outcome in recreated)
        {
            var lead = byId[outcome.ExternalId];
            var properties = Properties(lead, includeEmail: false, includeCreateOnly: true);
            if (TargetStage(lead) is { } stage)
            {
                properties[LifecycleStageProperty] = stage;
            }

            inputs.Add(Input(lead, properties));
            _logger.HubSpotBatchContactRecreated(lead.ExternalId, outcome.RecordId);
        }

        var response = await SendRawAsync(HttpMethod.Post, BatchUpsertPath, new JsonObject { ["inputs"] = inputs }, cancellationToken);
        if (!response.IsSuccess && Failure(response, batch.Subject, batch.LogId, batch.Sensitive) is CrmTransientException transient)
        {
            throw transient;
        }

        var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in response.IsSuccess ? TryParse(response.Body)?["results"] as JsonArray ?? [] : [])
        {
            if (result?["properties"]?[_keyProperty]?.ToString() is { } key)
            {
                done.Add(key);
            }
        }

        return [.. outcomes.Select(o => !recreated.Contains(o) || done.Contains(o.ExternalId) ? o : CrmBatchOutcome.Failed(
            o.ExternalId,
            CrmBatchOutcomeKind.HandOffAlone,
            $"HubSpot created the contact {o.RecordId} of lead '{o.ExternalId}' again, and did not take its owner and status (HTTP {response.Status})."))];
    }

    /// <summary>How a batch is named in messages and logs, and the contact data kept out of them.</summary>
    private sealed class BatchText(IReadOnlyList<CrmLeadUpsert> leads)
    {
        public string Subject { get; } = leads.Count == 1
            ? $"lead '{leads[0].ExternalId}'"
            : $"a batch of {leads.Count} leads ('{leads[0].ExternalId}' to '{leads[^1].ExternalId}')";

        public string LogId { get; } = leads.Count == 1 ? leads[0].ExternalId : $"{leads[0].ExternalId} (+{leads.Count - 1})";

        public string?[] Sensitive { get; } = [.. leads.SelectMany(l => new[] { l.Email, l.Phone })];
    }
}
