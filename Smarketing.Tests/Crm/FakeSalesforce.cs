using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Smarketing.Core.Handoff.Salesforce;

namespace Smarketing.Tests.Crm;

/// <summary>
/// Salesforce's REST API as the handoff uses it: the OAuth client-credentials token endpoint and the Lead
/// upsert by external id (201 + created:true, 200 + created:false), with its error-array format, 401
/// INVALID_SESSION_ID for unknown tokens, REQUIRED_FIELD_MISSING on create, and Sforce-Limit-Info; and the same upsert
/// over sObject Collections (at most 200 records, EXCEEDED_ID_LIMIT beyond, one result per record) and Bulk API 2.0
/// ingest jobs (create, CSV upload, UploadComplete, JobComplete after a look or more, successful and failed results).
/// </summary>
public sealed class FakeSalesforce : FakeCrmServer
{
    public const string ClientId = "3MVG9-test-consumer-key";
    public const string ClientSecret = "test-consumer-secret";
    public const string ExternalIdField = "Smarketing_Lead_Id__c";
    public const string ApiVersion = "v62.0";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _leads = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _refusals = new(StringComparer.Ordinal);
    private int _tokenCount;
    private int _apiCount;
    private int _idCount;
    private readonly Dictionary<string, BulkJob> _jobs = new(StringComparer.Ordinal);
    private int _jobCount;

    private FakeSalesforce()
    {
    }

    /// <summary>Fields a new Lead must have.</summary>
    public List<string> RequiredOnCreate { get; } = ["LastName", "Company"];

    public long DailyApiLimit { get; set; } = 15000;

    public int TokensIssued => _tokenCount;

    /// <summary>The most records Salesforce takes in one sObject Collections request.</summary>
    public const int CollectionsLimit = 200;

    /// <summary>API requests answered so far (what Sforce-Limit-Info counts): token requests are not API requests.</summary>
    public int ApiRequestCount => Volatile.Read(ref _apiCount);

    /// <summary>How many times a Bulk job's state is asked for after its upload is complete before it answers JobComplete.</summary>
    public int BulkPollsInProgress { get; set; } = 1;

    /// <summary>Each Bulk job's state, in the order the jobs were created.</summary>
    public IReadOnlyList<string> BulkJobStates
    {
        get
        {
            lock (_lock)
            {
                return [.. _jobs.Values.OrderBy(j => j.Id, StringComparer.Ordinal).Select(j => j.State)];
            }
        }
    }

    /// <summary>When set, the next Bulk job closed for processing ends Failed with this message.</summary>
    public string? FailNextBulkJob { get; set; }

    /// <summary>Every upsert of this lead (one-lead or in a collection) is refused with this error, as a validation rule would.</summary>
    public void RefuseLead(string externalId, string errorCode, string message, params string[] fields)
    {
        lock (_lock)
        {
            _refusals[externalId] = ErrorObject(errorCode, message, fields);
        }
    }

    public override int RecordCount
    {
        get
        {
            lock (_lock)
            {
                return _leads.Count;
            }
        }
    }

    public static async Task<FakeSalesforce> StartNewAsync()
    {
        var fake = new FakeSalesforce();
        await fake.StartAsync();
        return fake;
    }

    public JsonObject? Lead(string externalId)
    {
        lock (_lock)
        {
            return _leads.TryGetValue(externalId, out var lead) ? (JsonObject)lead.DeepClone() : null;
        }
    }

    public override string RepStatus => "Working - Contacted";

    public override CrmRecordView? RecordOf(string leadId, string email) =>
        Lead(leadId) is { } lead ? new CrmRecordView(lead["Id"]!.ToString(), lead["OwnerId"]?.ToString(), lead["Status"]?.ToString()) : null;

    public override void ChangeAsRep(string leadId, string email, string ownerId, string status)
    {
        lock (_lock)
        {
            var lead = _leads[leadId];
            lead["OwnerId"] = ownerId;
            lead["Status"] = status;
        }
    }

    /// <summary>A rep types a value into one field of the lead's record.</summary>
    public void EditAsRep(string leadId, string field, string value)
    {
        lock (_lock)
        {
            _leads[leadId][field] = value;
        }
    }

    public override void Delete(string leadId, string email)
    {
        lock (_lock)
        {
            _leads.Remove(leadId);
        }
    }

    /// <summary>Every issued token stops working, as when a session times out.</summary>
    public void ExpireSessions()
    {
        lock (_lock)
        {
            _tokens.Clear();
        }
    }

    public override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Crm:Provider"] = SalesforceCrmClient.ProviderName,
        ["Crm:Salesforce:LoginUrl"] = BaseAddress.ToString().TrimEnd('/'),
        ["Crm:Salesforce:ClientId"] = ClientId,
        ["Crm:Salesforce:ClientSecret"] = ClientSecret,
        ["Crm:Salesforce:ApiVersion"] = ApiVersion,
        ["Crm:Salesforce:ExternalIdField"] = ExternalIdField,
    };

    /// <summary>The client sends only what it knows first and adds LastName and Company once Salesforce asks for them.</summary>
    public override int ApiRequestsPerNewRecord => 2;

    public override (Fault Fault, string Message) RefusalFault() =>
        (Error(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Phone must be in E.164 format", "Phone"), "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone must be in E.164 format");

    public static Fault Error(int status, string errorCode, string message, params string[] fields) =>
        new(status, new JsonArray(ErrorObject(errorCode, message, fields)).ToJsonString());

    public static Fault RequestLimitExceeded() =>
        Error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");

    protected override bool IsApi(string path) => path.StartsWith("/services/data/", StringComparison.Ordinal);

    protected override void Map(WebApplication web)
    {
        web.MapPost("/services/oauth2/token", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
            {
                await JsonAsync(context, 400, new JsonObject { ["error"] = "invalid_client", ["error_description"] = "invalid client credentials" });
                return;
            }

            string token;
            lock (_lock)
            {
                token = $"00DTEST!token-{++_tokenCount}";
                _tokens.Add(token);
            }

            await JsonAsync(context, 200, new JsonObject
            {
                ["access_token"] = token,
                ["instance_url"] = BaseAddress.ToString().TrimEnd('/'),
                ["id"] = BaseAddress + "id/00DTEST/005TEST",
                ["token_type"] = "Bearer",
                ["issued_at"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["signature"] = "c2lnbmF0dXJl",
            });
        });

        web.MapMethods("/services/data/{version}/sobjects/Lead/{field}/{value}", ["PATCH"], async (HttpContext context, string version, string field, string value) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            if (version != ApiVersion || field != ExternalIdField)
            {
                await WriteAsync(context, Error(404, "NOT_FOUND", "The requested resource does not exist"));
                return;
            }

            if (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) is not JsonObject body)
            {
                await WriteAsync(context, Error(400, "JSON_PARSER_ERROR", "The request body is not a JSON object"));
                return;
            }

            var (id, created, error) = Upsert(value, body);
            if (error is not null)
            {
                await JsonAsync(context, 400, new JsonArray(error));
                return;
            }

            await JsonAsync(context, created ? 201 : 200, Result(id!, created));
        });

        // sObject Collections upsert by external id: at most 200 records, each answered on its own (allOrNone false),
        // in the order sent; the same rules as the one-lead upsert for each record.
        web.MapMethods("/services/data/{version}/composite/sobjects/{type}/{field}", ["PATCH"], async (HttpContext context, string version, string type, string field) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            if (version != ApiVersion || type != "Lead" || field != ExternalIdField)
            {
                await WriteAsync(context, Error(404, "NOT_FOUND", "The requested resource does not exist"));
                return;
            }

            if (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) is not JsonObject { } request
                || request["records"] is not JsonArray records)
            {
                await WriteAsync(context, Error(400, "JSON_PARSER_ERROR", "The request body is not an object with records"));
                return;
            }

            if (records.Count > CollectionsLimit)
            {
                await WriteAsync(context, Error(400, "EXCEEDED_ID_LIMIT", $"record limit reached. cannot submit more than {CollectionsLimit} records into this call"));
                return;
            }

            if (request["allOrNone"]?.GetValue<bool>() == true)
            {
                await WriteAsync(context, Error(400, "INVALID_OPERATION", "This fake answers allOrNone=false only"));
                return;
            }

            if (records.Any(r => r?["attributes"]?["type"]?.ToString() != type))
            {
                await WriteAsync(context, Error(400, "INVALID_TYPE", "Each record needs attributes.type = " + type));
                return;
            }

            var ids = records.Select(r => r?[field]?.ToString()).ToList();
            var answers = new JsonArray();
            foreach (var record in records.Cast<JsonObject>())
            {
                var value = record[field]?.ToString();
                var body = (JsonObject)record.DeepClone();
                body.Remove("attributes");
                body.Remove(field);
                JsonObject? error;
                string? id = null;
                var created = false;
                if (string.IsNullOrEmpty(value))
                {
                    error = ErrorObject("MISSING_ARGUMENT", $"{field} not specified", field);
                }
                else if (ids.Count(i => i == value) > 1)
                {
                    error = ErrorObject("DUPLICATE_EXTERNAL_ID", $"Duplicate external id specified: {value}", field);
                }
                else
                {
                    (id, created, error) = Upsert(value, body);
                }

                answers.Add(error is null
                    ? Result(id!, created)
                    : new JsonObject
                    {
                        ["success"] = false,
                        ["errors"] = new JsonArray(new JsonObject
                        {
                            ["statusCode"] = error["errorCode"]!.DeepClone(),
                            ["message"] = error["message"]!.DeepClone(),
                            ["fields"] = error["fields"]!.DeepClone(),
                        }),
                    });
            }

            await JsonAsync(context, 200, answers);
        });

        // Bulk API 2.0 ingest: jobs upsert Leads from a CSV upload; each HTTP call is one API request, the records are not.
        web.MapPost("/services/data/{version}/jobs/ingest", async (HttpContext context, string version) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            var request = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject;
            if (version != ApiVersion || request?["object"]?.ToString() != "Lead" || request["operation"]?.ToString() != "upsert"
                || request["externalIdFieldName"]?.ToString() != ExternalIdField || (request["contentType"]?.ToString() ?? "CSV") != "CSV")
            {
                await WriteAsync(context, Error(400, "INVALIDJOB", "This fake creates CSV upsert jobs on Lead by " + ExternalIdField));
                return;
            }

            BulkJob job;
            lock (_lock)
            {
                job = new BulkJob("750TEST" + (++_jobCount).ToString("D11", CultureInfo.InvariantCulture), request["lineEnding"]?.ToString() ?? "LF");
                _jobs[job.Id] = job;
            }

            await JsonAsync(context, 200, job.Info());
        });

        web.MapPut("/services/data/{version}/jobs/ingest/{id}/batches", async (HttpContext context, string version, string id) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            var csv = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var accepted = false;
            lock (_lock)
            {
                if (_jobs.TryGetValue(id, out var job) && job.State == "Open" && (context.Request.ContentType ?? string.Empty).StartsWith("text/csv", StringComparison.Ordinal))
                {
                    job.Csv.Append(csv);
                    accepted = true;
                }
            }

            if (accepted)
            {
                context.Response.StatusCode = 201;
                return;
            }

            await WriteAsync(context, Error(400, "INVALIDJOBSTATE", "Upload data to an Open job as text/csv"));
        });

        web.MapMethods("/services/data/{version}/jobs/ingest/{id}", ["PATCH"], async (HttpContext context, string version, string id) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            var request = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject;
            BulkJob? job;
            lock (_lock)
            {
                job = _jobs.GetValueOrDefault(id);
            }

            var state = request?["state"]?.ToString();
            if (job is null || job.State != "Open" || state is not ("UploadComplete" or "Aborted"))
            {
                await WriteAsync(context, Error(400, "INVALIDJOBSTATE", "Only an Open job can be closed (UploadComplete) or aborted"));
                return;
            }

            if (state == "Aborted")
            {
                lock (_lock)
                {
                    job.State = "Aborted";
                }
            }
            else
            {
                Process(job);
            }

            await JsonAsync(context, 200, job.Info());
        });

        web.MapGet("/services/data/{version}/jobs/ingest/{id}", async (HttpContext context, string version, string id) =>
        {
            if (!await AuthorizedAsync(context))
            {
                return;
            }

            BulkJob? job;
            lock (_lock)
            {
                job = _jobs.GetValueOrDefault(id);
                if (job is { State: "UploadComplete" or "InProgress" })
                {
                    job.State = job.PollsLeft-- > 0 ? "InProgress" : job.Final;
                }
            }

            if (job is null)
            {
                await WriteAsync(context, Error(404, "NOT_FOUND", "The requested resource does not exist"));
                return;
            }

            await JsonAsync(context, 200, job.Info());
        });

        foreach (var (kind, select) in new (string, Func<BulkJob, string>)[] { ("successfulResults", j => j.Successful), ("failedResults", j => j.Failed) })
        {
            web.MapGet($"/services/data/{{version}}/jobs/ingest/{{id}}/{kind}", async (HttpContext context, string version, string id) =>
            {
                if (!await AuthorizedAsync(context))
                {
                    return;
                }

                BulkJob? job;
                lock (_lock)
                {
                    job = _jobs.GetValueOrDefault(id);
                }

                if (job is not { State: "JobComplete" })
                {
                    await WriteAsync(context, Error(400, "INVALIDJOBSTATE", "Results are ready once the job is JobComplete"));
                    return;
                }

                context.Response.ContentType = "text/csv";
                await context.Response.WriteAsync(select(job));
            });
        }
    }

    // Every API answer counts against the org's daily requests and says so in Sforce-Limit-Info; an unknown token is a 401.
    private async Task<bool> AuthorizedAsync(HttpContext context)
    {
        var used = Interlocked.Increment(ref _apiCount);
        context.Response.Headers["Sforce-Limit-Info"] = $"api-usage={used}/{DailyApiLimit}";
        var authorization = context.Request.Headers.Authorization.ToString();
        bool known;
        lock (_lock)
        {
            known = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.Contains(authorization["Bearer ".Length..]);
        }

        if (!known)
        {
            await WriteAsync(context, Error(401, "INVALID_SESSION_ID", "Session expired or invalid"));
        }

        return known;
    }

    // One record's upsert by external id: its record id and whether it was created, or Salesforce's error for it.
    private (string? Id, bool Created, JsonObject? Error) Upsert(string externalId, JsonObject body)
    {
        if (body["Email"]?.ToString() is { } email && !email.Contains('@', StringComparison.Ordinal))
        {
            return (null, false, ErrorObject("INVALID_EMAIL_ADDRESS", $"Email: invalid email address: {email}", "Email"));
        }

        lock (_lock)
        {
            if (_refusals.TryGetValue(externalId, out var refusal))
            {
                return (null, false, (JsonObject)refusal.DeepClone());
            }

            if (_leads.TryGetValue(externalId, out var existing))
            {
                foreach (var (name, node) in body)
                {
                    existing[name] = node?.DeepClone();
                }

                return (existing["Id"]!.ToString(), false, null);
            }

            var missing = RequiredOnCreate.Where(f => string.IsNullOrEmpty(body[f]?.ToString())).ToArray();
            if (missing.Length > 0)
            {
                return (null, false, ErrorObject("REQUIRED_FIELD_MISSING", $"Required fields are missing: [{string.Join(", ", missing)}]", missing));
            }

            var id = "00Q" + (++_idCount).ToString("D12", CultureInfo.InvariantCulture);
            var lead = (JsonObject)body.DeepClone();
            lead["Id"] = id;
            lead[ExternalIdField] = externalId;
            _leads[externalId] = lead;
            return (id, true, null);
        }
    }

    private static JsonObject ErrorObject(string errorCode, string message, params string[] fields) => new()
    {
        ["message"] = message,
        ["errorCode"] = errorCode,
        ["fields"] = new JsonArray([.. fields.Select(f => JsonValue.Create(f))]),
    };

    // Salesforce's processing of a closed job, done at once: each row is the one-lead upsert's rules; the job reports
    // JobComplete after BulkPollsInProgress more looks at it.
    private void Process(BulkJob job)
    {
        var text = job.Csv.ToString();
        lock (_lock)
        {
            job.State = "UploadComplete";
            job.PollsLeft = BulkPollsInProgress;
            if (FailNextBulkJob is { } failure)
            {
                (FailNextBulkJob, job.Final, job.ErrorMessage) = (null, "Failed", failure);
                return;
            }

            if (job.LineEnding == "LF" && text.Contains('\r', StringComparison.Ordinal))
            {
                (job.Final, job.ErrorMessage) = ("Failed", "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF");
                return;
            }
        }

        using var reader = new CsvHelper.CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        var header = reader.HeaderRecord!;
        using var succeeded = new StringWriter(CultureInfo.InvariantCulture);
        using var failed = new StringWriter(CultureInfo.InvariantCulture);
        var config = new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using var ok = new CsvHelper.CsvWriter(succeeded, config);
        using var bad = new CsvHelper.CsvWriter(failed, config);
        foreach (var (writer, first) in new[] { (ok, "sf__Created"), (bad, "sf__Error") })
        {
            writer.WriteField("sf__Id");
            writer.WriteField(first);
            foreach (var column in header)
            {
                writer.WriteField(column);
            }

            writer.NextRecord();
        }

        while (reader.Read())
        {
            var cells = header.Select((_, i) => reader.GetField(i) ?? string.Empty).ToArray();
            var body = new JsonObject();
            string? externalId = null;
            for (var i = 0; i < header.Length; i++)
            {
                if (header[i] == ExternalIdField)
                {
                    externalId = cells[i];
                }
                else if (cells[i].Length > 0)
                {
                    body[header[i]] = long.TryParse(cells[i], NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(cells[i]);
                }
            }

            var (id, created, error) = string.IsNullOrEmpty(externalId)
                ? (null, false, ErrorObject("MISSING_ARGUMENT", ExternalIdField + " not specified", ExternalIdField))
                : Upsert(externalId, body);
            var writer = error is null ? ok : bad;
            writer.WriteField(id ?? string.Empty);
            writer.WriteField(error is null
                ? (created ? "true" : "false")
                : $"{error["errorCode"]}:{error["message"]}:{string.Join(',', error["fields"]!.AsArray().Select(f => f!.ToString()))} --");
            foreach (var cell in cells)
            {
                writer.WriteField(cell);
            }

            writer.NextRecord();
            lock (_lock)
            {
                job.Processed++;
                job.FailedCount += error is null ? 0 : 1;
            }
        }

        ok.Flush();
        bad.Flush();
        lock (_lock)
        {
            (job.Successful, job.Failed) = (succeeded.ToString(), failed.ToString());
        }
    }

    private sealed class BulkJob(string id, string lineEnding)
    {
        public string Id { get; } = id;

        public string LineEnding { get; } = lineEnding;

        public string State { get; set; } = "Open";

        public string Final { get; set; } = "JobComplete";

        public string? ErrorMessage { get; set; }

        public int PollsLeft { get; set; }

        public StringBuilder Csv { get; } = new();

        public string Successful { get; set; } = string.Empty;

        public string Failed { get; set; } = string.Empty;

        public int Processed { get; set; }

        public int FailedCount { get; set; }

        public JsonObject Info() => new()
        {
            ["id"] = Id,
            ["operation"] = "upsert",
            ["object"] = "Lead",
            ["externalIdFieldName"] = ExternalIdField,
            ["state"] = State,
            ["contentType"] = "CSV",
            ["lineEnding"] = LineEnding,
            ["apiVersion"] = 62.0,
            ["contentUrl"] = $"services/data/{ApiVersion}/jobs/ingest/{Id}/batches",
            ["numberRecordsProcessed"] = Processed,
            ["numberRecordsFailed"] = FailedCount,
            ["errorMessage"] = ErrorMessage,
        };
    }

    private static JsonObject Result(string id, bool created) => new()
    {
        ["id"] = id,
        ["success"] = true,
        ["errors"] = new JsonArray(),
        ["created"] = created,
    };
}
