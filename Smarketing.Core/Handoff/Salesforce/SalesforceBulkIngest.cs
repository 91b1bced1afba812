using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Handoff.Batch;

namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>
/// Large batches over Bulk API 2.0: one ingest job upserts the Leads by external id from a CSV upload, whatever their
/// number, in a constant handful of API requests (records don't count against the org's daily API requests; the HTTP
/// calls do). <see cref="StartAsync"/> creates the job, uploads the CSV and closes it; Salesforce processes it on its own
/// time, and the caller asks <see cref="PollAsync"/> later (from a delayed queue message, never by sleeping).
/// </summary>
/// <remarks>
/// Unlike the collections upsert, a Bulk job can't send LastName and Company only to the records Salesforce finds new.
/// Leads never handed off before (no <see cref="CrmLeadUpsert.CrmId"/>) are sent with the configured
/// <see cref="SalesforceOptions.CreateDefaults"/>, since Salesforce has no record with their external id; leads with a
/// CRM id are sent without them (an empty CSV cell leaves the field as it is), and if their record is gone Salesforce's
/// REQUIRED_FIELD_MISSING makes them <see cref="CrmBatchOutcomeKind.HandOffAlone"/>: the one-lead path creates them again.
/// Leads marked <see cref="CrmLeadUpsert.AlreadyUpserted"/> are refused: their owner and status are create-only, which
/// only <see cref="SalesforceCrmClient.UpsertLeadsAsync"/> can honour.
/// </remarks>
public sealed class SalesforceBulkIngest
{
    private const string SuccessIdColumn = "sf__Id";
    private const string CreatedColumn = "sf__Created";
    private const string ErrorColumn = "sf__Error";

    private static readonly CsvConfiguration Csv = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\n",
        InjectionOptions = InjectionOptions.None,
    };

    private readonly HttpClient _http;
    private readonly SalesforceOptions _options;
    private readonly ILogger<SalesforceBulkIngest> _logger;

    /// <summary>Creates the client on the Salesforce HttpClient (token, API-limit and resilience handlers).</summary>
    public SalesforceBulkIngest(HttpClient http, SalesforceOptions options, ILogger<SalesforceBulkIngest> logger)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Batches of at least this many leads go through Bulk API 2.0 (<c>Crm:Salesforce:BulkThreshold</c>).</summary>
    public int Threshold => _options.BulkThreshold;

    /// <summary>
    /// Creates an upsert ingest job for Lead by the external-id field, uploads every lead as one CSV (LF line ends) and
    /// marks the upload complete: three API requests. Answers the job's id for <see cref="PollAsync"/>.
    /// </summary>
    public async Task<string> StartAsync(IReadOnlyList<CrmLeadUpsert> leads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leads);
        if (leads.Count == 0)
        {
            throw new ArgumentException("A Bulk API job needs at least one lead.", nameof(leads));
        }

        if (leads.GroupBy(l => l.ExternalId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Lead '{twice.Key}' is in the job {twice.Count()} times; an upsert job takes each external id once.", nameof(leads));
        }

        if (leads.FirstOrDefault(l => l.AlreadyUpserted) is { } retried)
        {
            throw new ArgumentException($"Lead '{retried.ExternalId}' was already upserted: its owner and status are create-only, which a Bulk job can't honour; send it through the collections upsert.", nameof(leads));
        }

        var csv = ToCsv(leads);
        var job = await SendAsync(HttpMethod.Post, "jobs/ingest", Json(new JsonObject
        {
            ["object"] = "Lead",
            ["externalIdFieldName"] = _options.ExternalIdField,
            ["contentType"] = "CSV",
            ["operation"] = "upsert",
            ["lineEnding"] = "LF",
        }), $"the creation of a Bulk API job for {leads.Count} leads", cancellationToken);
        var jobId = SalesforceCrmClient.TryParse(job.Body)?["id"]?.ToString();
        if (string.IsNullOrEmpty(jobId))
        {
            throw new CrmTransientException($"Salesforce answered {job.Status} to the creation of a Bulk API job without its id.", CrmCondition.Down, job.Status, null);
        }

        try
        {
            var upload = new StringContent(csv, Encoding.UTF8);
            upload.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            await SendAsync(HttpMethod.Put, $"jobs/ingest/{Uri.EscapeDataString(jobId)}/batches", upload, $"the upload of Bulk API job {jobId}", cancellationToken);
            await SendAsync(HttpMethod.Patch, $"jobs/ingest/{Uri.EscapeDataString(jobId)}", Json(new JsonObject { ["state"] = "UploadComplete" }), $"the closing of Bulk API job {jobId}", cancellationToken);
        }
        catch (Exception ex) when (ex is CrmTransientException or CrmPermanentException)
        {
            // The leads will be sent again in a new job: this one must not be processed half uploaded, nor stay open.
            await AbortAsync(jobId, ex);
            throw;
        }

        _logger.SalesforceBulkJobStarted(jobId, leads.Count);
        return jobId;
    }

    /// <summary>
    /// The job's outcome: null while Salesforce is still at it (<c>UploadComplete</c>, <c>InProgress</c>); once it is
    /// <c>JobComplete</c>, one outcome per record of its successful and failed results (a record in neither is to retry).
    /// A job that <c>Failed</c> or was <c>Aborted</c> throws <see cref="CrmTransientException"/>: its leads are worth
    /// sending again.
    /// </summary>
    public async Task<IReadOnlyList<CrmBatchOutcome>?> PollAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var path = $"jobs/ingest/{Uri.EscapeDataString(jobId)}";
        var info = SalesforceCrmClient.TryParse((await SendAsync(HttpMethod.Get, path, null, $"the state of Bulk API job {jobId}", cancellationToken)).Body);
        var state = info?["state"]?.ToString();
        switch (state)
        {
            case "Open" or "UploadComplete" or "InProgress":
                return null;
            case "Failed" or "Aborted":
                throw new CrmTransientException(
                    $"Salesforce Bulk API job {jobId} ended {state}: {SensitiveText.Redact(info?["errorMessage"]?.ToString() ?? "no reason given")}",
                    null,
                    null,
                    null);
            case "JobComplete":
                break;
            default:
                throw new CrmTransientException($"Salesforce Bulk API job {jobId} is in an unknown state '{SensitiveText.Echo(state)}'.", CrmCondition.Down, null, null);
        }

        var succeeded = ReadCsv((await SendAsync(HttpMethod.Get, path + "/successfulResults/", null, $"the results of Bulk API job {jobId}", cancellationToken)).Body);
        var failed = ReadCsv((await SendAsync(HttpMethod.Get, path + "/failedResults/", null, $"the results of Bulk API job {jobId}", cancellationToken)).Body);
        var outcomes = new Dictionary<string, CrmBatchOutcome>(StringComparer.Ordinal);
        foreach (var row in succeeded)
        {
            if (ExternalId(row) is { } externalId && row.TryGetValue(SuccessIdColumn, out var id) && !string.IsNullOrEmpty(id))
            {
                outcomes[externalId] = CrmBatchOutcome.Success(externalId, id, string.Equals(row.GetValueOrDefault(CreatedColumn), "true", StringComparison.OrdinalIgnoreCase));
            }
        }

        foreach (var row in failed)
        {
            if (ExternalId(row) is { } externalId)
            {
                outcomes[externalId] = Failure(externalId, row);
            }
        }

        _logger.SalesforceBulkJobDone(
            jobId,
            outcomes.Values.Count(o => o.Kind == CrmBatchOutcomeKind.Succeeded),
            outcomes.Values.Count(o => o.Kind != CrmBatchOutcomeKind.Succeeded));
        return [.. outcomes.Values];
    }

    /// <summary>
    /// The outcomes of <paramref name="leads"/> from a finished job's <paramref name="outcomes"/>: a lead the job's results
    /// don't name (Salesforce didn't process it) is to retry.
    /// </summary>
    public static IReadOnlyList<CrmBatchOutcome> ForEachLead(IReadOnlyList<CrmLeadUpsert> leads, IReadOnlyList<CrmBatchOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(leads);
        ArgumentNullException.ThrowIfNull(outcomes);
        var byId = outcomes.ToDictionary(o => o.ExternalId, StringComparer.Ordinal);
        return [.. leads.Select(l => byId.TryGetValue(l.ExternalId, out var outcome)
            ? outcome
            : CrmBatchOutcome.Failed(l.ExternalId, CrmBatchOutcomeKind.Retry, $"Salesforce's Bulk API job results don't name lead '{l.ExternalId}'."))];
    }

    private async Task AbortAsync(string jobId, Exception cause)
    {
        try
        {
            await SendAsync(HttpMethod.Patch, $"jobs/ingest/{Uri.EscapeDataString(jobId)}", Json(new JsonObject { ["state"] = "Aborted" }), $"the abort of Bulk API job {jobId}", CancellationToken.None);
        }
        catch (Exception ex) when (ex is CrmTransientException or CrmPermanentException)
        {
            // The failure that matters is the upload's; an open job Salesforce can't be told to drop is never processed.
            _logger.SalesforceBulkJobNotAborted(jobId, cause.GetType().Name);
        }
    }

    private string ToCsv(IReadOnlyList<CrmLeadUpsert> leads)
    {
        var rows = leads.Select(lead =>
        {
            var values = SalesforceCrmClient.Values(_options, lead).ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
            if (lead.CrmId is null)
            {
                foreach (var (field, value) in _options.CreateDefaults.Where(d => !string.IsNullOrEmpty(d.Value)))
                {
                    values.TryAdd(field, value);
                }
            }

            return (lead.ExternalId, Values: values);
        }).ToList();
        var columns = rows.SelectMany(r => r.Values.Keys).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using (var csv = new CsvWriter(text, Csv, leaveOpen: true))
        {
            csv.WriteField(_options.ExternalIdField);
            foreach (var column in columns)
            {
                csv.WriteField(column);
            }

            csv.NextRecord();
            foreach (var (externalId, values) in rows)
            {
                csv.WriteField(externalId);
                foreach (var column in columns)
                {
                    // An empty cell leaves the field as it is: the handoff never clears what a rep typed.
                    csv.WriteField(values.TryGetValue(column, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : string.Empty);
                }

                csv.NextRecord();
            }
        }

        return text.ToString();
    }

    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        var rows = new List<Dictionary<string, string>>();
        using var reader = new StringReader(text);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { DetectDelimiter = false, MissingFieldFound = null, BadDataFound = null });
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
        {
            return rows;
        }

        while (csv.Read())
        {
            var row = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = csv.GetField(i) ?? string.Empty;
            }

            rows.Add(row);
        }

        return rows;
    }

    private string? ExternalId(Dictionary<string, string> row) =>
        row.TryGetValue(_options.ExternalIdField, out var id) && !string.IsNullOrEmpty(id) ? id : null;

    // sf__Error reads "CODE:message:fields --"; the row carries the values sent, which come out of the reason.
    private CrmBatchOutcome Failure(string externalId, Dictionary<string, string> row)
    {
        var text = row.GetValueOrDefault(ErrorColumn) ?? string.Empty;
        var trimmed = text.EndsWith(" --", StringComparison.Ordinal) ? text[..^3] : text;
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var code = colon > 0 ? trimmed[..colon] : null;
        var message = colon > 0 ? trimmed[(colon + 1)..] : trimmed;
        var last = message.LastIndexOf(':');
        IReadOnlyList<string> fields = [];
        if (last >= 0 && message[(last + 1)..] is var tail && tail.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ','))
        {
            fields = tail.Split(',', StringSplitOptions.RemoveEmptyEntries);
            message = message[..last];
        }

        var errors = new List<SalesforceCrmClient.SalesforceError> { new(code, message, fields) };
        var known = new[] { _options.Fields.Email, _options.Fields.Phone }
            .Where(f => !string.IsNullOrWhiteSpace(f))
            .Select(f => row.GetValueOrDefault(f!.Trim()))
            .ToArray();
        var described = SensitiveText.Redact(SalesforceCrmClient.Describe(errors, text), known);
        if (code == "REQUIRED_FIELD_MISSING")
        {
            return CrmBatchOutcome.Failed(externalId, CrmBatchOutcomeKind.HandOffAlone, $"Salesforce's Lead for '{externalId}' is gone and a new one needs fields the job didn't send: {described}");
        }

        return SalesforceCrmClient.IsNotNow(errors, _options.ExternalIdField)
            ? CrmBatchOutcome.Failed(externalId, CrmBatchOutcomeKind.Retry, $"Salesforce could not upsert lead '{externalId}' now: {described}")
            : CrmBatchOutcome.Failed(externalId, CrmBatchOutcomeKind.Refused, $"Salesforce refused lead '{externalId}': {described}");
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private async Task<CrmHttpResponse> SendAsync(HttpMethod method, string path, HttpContent? content, string subject, CancellationToken cancellationToken)
    {
        // Addressed to the org; the token handler sends it to the instance its token belongs to.
        var uri = new Uri(new Uri(_options.LoginUrl!), $"/services/data/{_options.ApiVersion}/{path}");
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(method == HttpMethod.Get && path.EndsWith("Results/", StringComparison.Ordinal) ? "text/csv" : "application/json"));
        var response = await CrmHttpResponse.SendAsync(_http, request, cancellationToken);
        if (response.IsSuccess)
        {
            return response;
        }

        var errors = SalesforceCrmClient.ParseErrors(response.Body);
        var described = SensitiveText.Redact(SalesforceCrmClient.Describe(errors, response.Body));
        SalesforceCrmClient.ThrowIfTransient(_logger, response, errors, described, "bulk", subject);
        throw new CrmPermanentException($"Salesforce refused {subject} (HTTP {response.Status}): {described}");
    }
}
