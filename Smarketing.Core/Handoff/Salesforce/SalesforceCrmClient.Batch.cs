using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Smarketing.Core.Handoff.Batch;

namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>
/// The batched handoff over sObject Collections: one
/// <c>PATCH /services/data/vXX.X/composite/sobjects/Lead/{ExternalIdField}</c> upserts up to 200 Leads by external id with
/// <c>allOrNone: false</c>, and Salesforce answers one result per record, in the order sent.
/// </summary>
public sealed partial class SalesforceCrmClient : IBatchCrmClient
{
    /// <summary>The most records Salesforce takes in one sObject Collections request.</summary>
    public const int CollectionsMaxRecords = 200;

    /// <inheritdoc />
    public int MaxBatchSize => CollectionsMaxRecords;

    /// <inheritdoc />
    /// <remarks>
    /// The first request carries what the one-lead upsert would send for each lead. Records Salesforce refuses because a
    /// new Lead lacks fields with configured <see cref="SalesforceOptions.CreateDefaults"/> (LastName, Company) are sent
    /// again together in one more request with those defaults, so an existing record never gets placeholders. Leads
    /// marked <see cref="CrmLeadUpsert.AlreadyUpserted"/> whose record turns out to be created again get their owner and
    /// status in one more request. At most three requests, whatever the batch's size.
    /// </remarks>
    public async Task<IReadOnlyList<CrmBatchOutcome>> UpsertLeadsAsync(IReadOnlyList<CrmLeadUpsert> leads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leads);
        if (leads.Count > CollectionsMaxRecords)
        {
            throw new ArgumentException($"A Salesforce collections upsert takes at most {CollectionsMaxRecords} records; {leads.Count} were given.", nameof(leads));
        }

        if (leads.GroupBy(l => l.ExternalId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Lead '{twice.Key}' is in the batch {twice.Count()} times; a collections upsert takes each external id once.", nameof(leads));
        }

        if (leads.Count == 0)
        {
            return [];
        }

        var fields = leads.Select(Fields).ToArray();
        var outcomes = new CrmBatchOutcome[leads.Count];
        var all = Enumerable.Range(0, leads.Count).ToList();
        var results = await SendCollectionAsync(leads, all, i => fields[i].Body, cancellationToken);

        var withDefaults = new List<int>();
        var missingFields = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var k = 0; k < all.Count; k++)
        {
            var i = all[k];
            if (Success(leads[i], results[k]) is { } success)
            {
                outcomes[i] = success;
            }
            else if (MissingFieldsWithDefaults(ParseErrors(results[k]), fields[i].Body) is { } missing)
            {
                // A new Lead needs fields Smarketing doesn't know: only the records Salesforce says are new get them.
                foreach (var field in missing)
                {
                    fields[i].Body[field] = _options.CreateDefaults[field];
                    missingFields.Add(field);
                }

                withDefaults.Add(i);
            }
            else
            {
                outcomes[i] = Failure(leads[i], results[k]);
            }
        }

        if (withDefaults.Count > 0)
        {
            _logger.SalesforceBatchCreateDefaultsUsed(withDefaults.Count, string.Join(", ", missingFields));
            results = await SendCollectionAsync(leads, withDefaults, i => fields[i].Body, cancellationToken);
            for (var k = 0; k < withDefaults.Count; k++)
            {
                var i = withDefaults[k];
                outcomes[i] = Success(leads[i], results[k]) ?? Failure(leads[i], results[k]);
            }
        }

        // Records that were gone (deleted or merged away) when a retried handoff upserted them are new again: they get
        // their owner and status, which a record that still existed keeps as a rep left them.
        var createdAgain = all.Where(i => outcomes[i] is { Kind: CrmBatchOutcomeKind.Succeeded, Created: true } && fields[i].CreateOnly.Count > 0).ToList();
        if (createdAgain.Count > 0)
        {
            foreach (var i in createdAgain)
            {
                _logger.SalesforceCreateOnlyFieldsSent(leads[i].ExternalId, outcomes[i].RecordId);
            }

            results = await SendCollectionAsync(leads, createdAgain, i => fields[i].CreateOnly, cancellationToken);
            for (var k = 0; k < createdAgain.Count; k++)
            {
                var i = createdAgain[k];
                if (Success(leads[i], results[k]) is null)
                {
                    outcomes[i] = Failure(leads[i], results[k]);
                }
            }
        }

        _logger.SalesforceBatchUpserted(
            leads.Count,
            outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Succeeded),
            outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Refused),
            outcomes.Count(o => o.Kind == CrmBatchOutcomeKind.Retry));
        return outcomes;
    }

    // One collections request for the leads at `indexes`; the results come back in the same order. A failure of the whole
    // request that says something about the org throws as the one-lead path does; any other refusal of the whole request
    // (a field name the org doesn't have, say) is every record's refusal.
    private async Task<IReadOnlyList<JsonObject>> SendCollectionAsync(
        IReadOnlyList<CrmLeadUpsert> leads, List<int> indexes, Func<int, JsonObject> fieldsOf, CancellationToken cancellationToken)
    {
        var records = new JsonArray();
        foreach (var i in indexes)
        {
            var record = new JsonObject
            {
                ["attributes"] = new JsonObject { ["type"] = "Lead" },
                [_options.ExternalIdField] = leads[i].ExternalId,
            };
            foreach (var (name, value) in fieldsOf(i))
            {
                record[name] = value?.DeepClone();
            }

            records.Add(record);
        }

        var uri = new Uri(
            new Uri(_options.LoginUrl!),
            $"/services/data/{_options.ApiVersion}/composite/sobjects/Lead/{Uri.EscapeDataString(_options.ExternalIdField)}");
        using var request = new HttpRequestMessage(HttpMethod.Patch, uri)
        {
            Content = new StringContent(new JsonObject { ["allOrNone"] = false, ["records"] = records }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Add(AutoAssignHeader, "FALSE");
        var response = await CrmHttpResponse.SendAsync(_http, request, cancellationToken);

        var subjectId = indexes.Count == 1 ? leads[indexes[0]].ExternalId : $"{leads[indexes[0]].ExternalId} and {indexes.Count - 1} more";
        var subject = $"the collections upsert of {indexes.Count} leads";
        if (response.IsSuccess)
        {
            var answer = TryParse(response.Body) as JsonArray;
            if (answer is null || answer.Count != indexes.Count || answer.Any(r => r is not JsonObject))
            {
                throw new CrmTransientException(
                    $"Salesforce answered {response.Status} to {subject} without one result per record ({answer?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no array"}).",
                    CrmCondition.Down,
                    response.Status,
                    null);
            }

            return [.. answer.Cast<JsonObject>()];
        }

        var errors = ParseErrors(response.Body);
        var known = indexes.SelectMany(i => new[] { leads[i].Email, leads[i].Phone }).ToArray();
        var described = SensitiveText.Redact(Describe(errors, response.Body), known);
        ThrowIfTransient(_logger, response, errors, described, subjectId, subject);

        var refusal = new JsonObject
        {
            ["success"] = false,
            ["errors"] = new JsonArray(new JsonObject
            {
                ["statusCode"] = errors.Select(e => e.Code).FirstOrDefault(c => c is not null) ?? $"HTTP {response.Status}",
                ["message"] = $"Salesforce refused the whole collections request (HTTP {response.Status}): {described}",
            }),
        };
        return [.. indexes.Select(_ => (JsonObject)refusal.DeepClone())];
    }

    private CrmBatchOutcome? Success(CrmLeadUpsert lead, JsonObject result)
    {
        if (result["success"]?.GetValueKind() != System.Text.Json.JsonValueKind.True)
        {
            return null;
        }

        var id = result["id"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? result["id"]!.GetValue<string>() : null;
        if (string.IsNullOrEmpty(id))
        {
            return CrmBatchOutcome.Failed(lead.ExternalId, CrmBatchOutcomeKind.Retry, $"Salesforce answered success for lead '{lead.ExternalId}' without a record id.");
        }

        var created = result["created"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
        _logger.CrmUpserted(Provider, lead.ExternalId, id, created);
        return CrmBatchOutcome.Success(lead.ExternalId, id, created);
    }

    // A record's own failure: a race on the external id or a locked row is worth the next batch; anything else (a
    // validation rule, a bad value) is this record's refusal, kept with Salesforce's words minus the lead's contact data.
    private CrmBatchOutcome Failure(CrmLeadUpsert lead, JsonObject result)
    {
        var errors = ParseErrors(result);
        var described = SensitiveText.Redact(Describe(errors, result.ToJsonString()), lead.Email, lead.Phone);
        return IsNotNow(errors, _options.ExternalIdField)
            ? CrmBatchOutcome.Failed(lead.ExternalId, CrmBatchOutcomeKind.Retry, $"Salesforce could not upsert lead '{lead.ExternalId}' now: {described}")
            : CrmBatchOutcome.Failed(lead.ExternalId, CrmBatchOutcomeKind.Refused, $"Salesforce refused lead '{lead.ExternalId}': {described}");
    }
}
