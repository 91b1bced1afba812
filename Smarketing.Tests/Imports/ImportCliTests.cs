using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Smarketing.Import;
using Spectre.Console.Testing;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using Xunit;

// "Imports" is a Visual Basic keyword; the namespace names the feature, as Smarketing.Core.Imports does.
[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace", Target = "~N:Smarketing.Tests.Imports")]

namespace Smarketing.Tests.Imports;

/// <summary>
/// The command-line importer, run in-process from its command line against a WireMock server on 127.0.0.1 that plays
/// the app's import API: upload, progress until the import is over, the rejected rows' CSV.
/// </summary>
public sealed class ImportCliTests : IDisposable
{
    private const string ImportId = "imp-20261206-7f3a";
    private const string StatusPath = "/api/imports/" + ImportId;
    private const string FunctionKey = "fk-Qm9vZ2xlLXN0cm9uZy1mdW5jdGlvbi1rZXk";
    private const string AdminKey = "ak-N3Ryb25nLWFkbWluLWtleS1mb3ItdGVzdHM";
    private const string RejectedCsv = "row,field,problem\r\n3,email,\"'bob@' is not an email address\"\r\n5,companySize,\"'many' is not a whole number, e.g. 250\"\r\n";
    private const string LeadCsv = "E-mail,Company,Size\nann@example.com,Acme,250\nbob@,Acme,10\ncid@example.com,Beta,120\ndee@example.com,Beta,many\n";

    private readonly WireMockServer _app = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("import-cli-");
    // 80 columns, as Spectre assumes when the output is not a terminal: the tool must not wrap its lines there.
    private readonly TestConsole _console = new();
    private readonly Dictionary<string, string> _environment = [];

    public void Dispose()
    {
        _app.Dispose();
        _console.Dispose();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Run_ImportRunsToTheEnd_UploadsTheListPrintsEachPollAndWritesTheRejectedRows()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        var rejectedPath = Path.Combine(_folder.FullName, "out", "rejected.csv");
        UploadAnswers(202, Accepted());
        StatusAnswers(
            Status("splitting"),
            Status("processing", rows: 4, accepted: 1, rejected: 1, mqls: 1, rowsPerSecond: 2, secondsLeft: 1),
            Status("handingOff", rows: 4, accepted: 2, rejected: 2, mqls: 2, handedOff: 1),
            Finished());
        RejectedAnswers(RejectedCsv);

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--mapping", "E-mail=email;Company=company;Size=companySize",
            "--idempotency-key", "spring-fair-2026", "--out", rejectedPath, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Finished, exitCode);
        Assert.Equal(RejectedCsv, await File.ReadAllTextAsync(rejectedPath));
        var upload = Assert.Single(_app.LogEntries, entry => entry.RequestMessage.Method == "POST").RequestMessage;
        Assert.Equal("/api/imports", upload.Path);
        Assert.Equal("E-mail=email;Company=company;Size=companySize", Assert.Single(upload.Query!["mapping"]));
        Assert.Equal("text/csv", Header(upload, "Content-Type"));
        Assert.Equal("spring-fair-2026", Header(upload, "Idempotency-Key"));
        Assert.Equal(LeadCsv, upload.Body);
        var output = Output();
        Assert.Contains("Import imp-20261206-7f3a received (received).", output, StringComparison.Ordinal);
        // Not a terminal: one plain line a poll, in order.
        AssertInOrder(output,
            "splitting: 0 accepted, 0 rejected of ? rows; 0 handed off of 0 MQLs",
            "processing: 1 accepted, 1 rejected of 4 rows; 0 handed off of 1 MQLs; 2 rows/s, about 1s left",
            "handingOff: 2 accepted, 2 rejected of 4 rows; 1 handed off of 2 MQLs",
            "finished: 2 accepted, 2 rejected of 4 rows; 1 handed off of 2 MQLs, 1 dead-lettered",
            "2 rejected rows written to " + rejectedPath,
            "1 MQLs dead-lettered: GET /api/handoffs/poison lists them");
        Assert.Contains("│ dead-lettered │", output, StringComparison.Ordinal);
        Assert.Contains("│ took          │", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KeysFromOptionsOrEnvironment_SentWithEveryRequestAndNeverPrinted()
    {
        var leads = LeadList("leads.jsonl", "{\"email\":\"ann@example.com\"}\n");
        _environment[ImportOptions.UrlVariable] = _app.Url!;
        _environment[ImportOptions.FunctionKeyVariable] = FunctionKey;
        UploadAnswers(202, Accepted());
        StatusAnswers(Status("processing", rows: 1), Finished());
        RejectedAnswers(RejectedCsv);

        var exitCode = await RunAsync(leads, "--admin-key", AdminKey, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Finished, exitCode);
        Assert.Equal(4, _app.LogEntries.Count);
        Assert.All(_app.LogEntries, entry =>
        {
            Assert.Equal(FunctionKey, Header(entry.RequestMessage, "x-functions-key"));
            Assert.Equal(AdminKey, Header(entry.RequestMessage, "X-Smarketing-Admin-Key"));
            Assert.Null(Header(entry.RequestMessage, "Idempotency-Key"));
        });
        var upload = _app.LogEntries[0].RequestMessage;
        Assert.Equal("application/x-ndjson", Header(upload, "Content-Type"));
        Assert.False(upload.Query?.ContainsKey("mapping"));
        // The default place of the rejected rows: beside the list.
        Assert.Equal(RejectedCsv, await File.ReadAllTextAsync(Path.Combine(_folder.FullName, "leads.rejected.csv")));
        AssertNoKeyPrinted();
    }

    [Fact]
    public async Task Run_UploadRefusedWithProblemDetails_PrintsTitleDetailAndEveryFieldAndExits3()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        _app.Given(Request.Create().WithPath("/api/imports").UsingPost()).RespondWith(Response.Create()
            .WithStatusCode(400)
            .WithHeader("Content-Type", "application/problem+json")
            .WithBody("""
                {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The mapping names unknown lead fields.","status":400,
                 "detail":"Map each column to one of the lead's fields.","errors":{"mapping":["'emial' is not a lead field (E-mail=emial)."],"file":["The header has no column for email."]}}
                """));

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--mapping", "E-mail=emial", "--key", FunctionKey, "--admin-key", AdminKey, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Refused, exitCode);
        AssertInOrder(Output(),
            "error: The app refused the upload: HTTP 400 Bad Request.",
            "The mapping names unknown lead fields.",
            "Map each column to one of the lead's fields.",
            "mapping: 'emial' is not a lead field (E-mail=emial).",
            "file: The header has no column for email.");
        Assert.Single(_app.LogEntries);
        Assert.False(File.Exists(Path.Combine(_folder.FullName, "leads.rejected.csv")));
        AssertNoKeyPrinted();
    }

    [Fact]
    public async Task Run_AdminKeyRefused_NamesTheKeyOptionsNotTheKeysAndExits3()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        _app.Given(Request.Create().WithPath("/api/imports").UsingPost()).RespondWith(Response.Create()
            .WithStatusCode(401)
            .WithHeader("Content-Type", "application/problem+json")
            .WithBody("""{"title":"Admin credential missing or wrong.","status":401}"""));

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--key", FunctionKey, "--admin-key", AdminKey);

        Assert.Equal(ImportExitCodes.Refused, exitCode);
        AssertInOrder(Output(),
            "error: The app refused the upload: HTTP 401 Unauthorized.",
            "Admin credential missing or wrong.",
            "Check the function key (--key or SMARKETING_FUNCTION_KEY) and the admin key (--admin-key or SMARKETING_ADMIN_KEY).");
        AssertNoKeyPrinted();
    }

    [Fact]
    public async Task Run_StatusAnswers503WhilePolling_WarnsRetriesAndFinishes()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        UploadAnswers(202, Accepted());
        StatusAnswers(
            Status("processing", rows: 4, accepted: 1),
            (503, """{"title":"Storage is unavailable; try again shortly.","status":503}"""),
            Finished(rejected: 0, deadLettered: 0));

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Finished, exitCode);
        AssertInOrder(Output(),
            "processing: 1 accepted, 0 rejected of 4 rows",
            "warning: Reading the import's progress: HTTP 503 Service Unavailable; trying again in 10ms.",
            "finished: 4 accepted, 0 rejected of 4 rows",
            "No rejected rows.");
        Assert.Equal(3, _app.LogEntries.Count(entry => entry.RequestMessage.Path == StatusPath));
        Assert.DoesNotContain(_app.LogEntries, entry => entry.RequestMessage.Path.EndsWith("/rejected", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_folder.FullName, "leads.rejected.csv")));
    }

    [Fact]
    public async Task Run_StatusAnswerBreaksOffInItsBody_WarnsRetriesAndFinishes()
    {
        // WireMock always sends whole bodies; a socket server on 127.0.0.1 promises 4096 bytes and closes after a few.
        var leads = LeadList("leads.csv", LeadCsv);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var answers = new Queue<string>([
            Http(202, JsonSerializer.Serialize(Accepted(), JsonSerializerOptions.Web)),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\nConnection: close\r\n\r\n{\"importId\":\"imp-",
            Http(200, JsonSerializer.Serialize(Finished(rejected: 0), JsonSerializerOptions.Web)),
        ]);
        var serving = Task.Run(async () =>
        {
            while (answers.Count > 0)
            {
                using var connection = await listener.AcceptTcpClientAsync();
                var stream = connection.GetStream();
                await ReadRequestAsync(stream);
                await stream.WriteAsync(Encoding.UTF8.GetBytes(answers.Dequeue()));
            }
        });

        var exitCode = await RunAsync(leads, "--url", $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", "--poll", "10ms");

        Assert.True(exitCode == ImportExitCodes.Finished, Output());
        AssertInOrder(Output(),
            "warning: Reading the import's progress: the answer broke off",
            "finished: 4 accepted, 0 rejected of 4 rows");
        await serving.WaitAsync(TimeSpan.FromSeconds(10));

        static string Http(int status, string body) =>
            $"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
    }

    /// <summary>Reads one HTTP/1.1 request: its head, then as many body bytes as its Content-Length says.</summary>
    private static async Task ReadRequestAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = Encoding.ASCII.GetString([.. received]).IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
        {
            var read = await stream.ReadAsync(buffer);
            Assert.True(read > 0, "The request ended before its head did.");
            received.AddRange(buffer[..read]);
        }

        var head = Encoding.ASCII.GetString([.. received], 0, headEnd);
        var length = head.Split("\r\n")
            .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(line => int.Parse(line["Content-Length:".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var missing = headEnd + 4 + length - received.Count;
        while (missing > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, missing)));
            Assert.True(read > 0, "The request ended before its body did.");
            missing -= read;
        }
    }

    [Fact]
    public async Task Run_StatusAnswers500Repeatedly_GivesUpAfterFiveTimesShowingTheProblemAndExits4()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        UploadAnswers(202, Accepted());
        _app.Given(Request.Create().WithPath(StatusPath).UsingGet()).RespondWith(Response.Create()
            .WithStatusCode(500)
            .WithHeader("Content-Type", "application/problem+json")
            .WithBody("""{"title":"An unexpected error occurred.","detail":"Correlation id 0HN8.","status":500}"""));

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Failed, exitCode);
        AssertInOrder(Output(),
            "warning: Reading the import's progress: HTTP 500 Internal Server Error; trying again in 10ms.",
            "error: Reading the import's progress failed 5 times with HTTP 500 Internal Server Error.",
            "An unexpected error occurred.",
            "Correlation id 0HN8.");
        Assert.Equal(5, _app.LogEntries.Count(entry => entry.RequestMessage.Path == StatusPath));
    }

    [Fact]
    public async Task Run_UploadAnswers503Once_SendsTheListAgain()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        _app.Given(Request.Create().WithPath("/api/imports").UsingPost()).InScenario("upload").WillSetStateTo("down once")
            .RespondWith(Response.Create().WithStatusCode(503));
        _app.Given(Request.Create().WithPath("/api/imports").UsingPost()).InScenario("upload").WhenStateIs("down once")
            .RespondWith(Json(202, Accepted()));
        StatusAnswers(Finished(rejected: 0));

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Finished, exitCode);
        var uploads = _app.LogEntries.Where(entry => entry.RequestMessage.Method == "POST").ToList();
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, upload => Assert.Equal(LeadCsv, upload.RequestMessage.Body));
        Assert.Contains("warning: The upload: HTTP 503 Service Unavailable; trying again in 10ms.", Output(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ImportFails_PrintsTheReasonKeepsTheRejectedRowsAndExits4()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        UploadAnswers(202, Accepted());
        StatusAnswers(
            Status("processing", rows: 4, accepted: 1, rejected: 1),
            Status("failed", rows: 4, accepted: 1, rejected: 1, failure: "The list's blob was deleted while it was read."));
        RejectedAnswers(RejectedCsv);

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Failed, exitCode);
        var output = Output();
        Assert.Contains("error: The import failed: The list's blob was deleted while it was read..", output, StringComparison.Ordinal);
        Assert.Equal(RejectedCsv, await File.ReadAllTextAsync(Path.Combine(_folder.FullName, "leads.rejected.csv")));
    }

    [Fact]
    public async Task Run_SameListUploadedAgain_FollowsTheImportTheAppAlreadyHas()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        UploadAnswers(200, Accepted(state: "processing", duplicate: true));
        StatusAnswers(Finished(rejected: 0));

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Finished, exitCode);
        Assert.Contains($"The app already has this upload as import {ImportId} (processing); following that import.", Output(), StringComparison.Ordinal);
        Assert.Single(_app.LogEntries, entry => entry.RequestMessage.Path == StatusPath);
    }

    [Fact]
    public async Task Run_NoWait_ExitsAfterTheUploadNamingTheStatusUrl()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        UploadAnswers(202, Accepted());

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--no-wait");

        Assert.Equal(ImportExitCodes.Finished, exitCode);
        Assert.Contains($"Its progress: GET {_app.Url}{StatusPath}", Output(), StringComparison.Ordinal);
        Assert.Single(_app.LogEntries);
    }

    [Fact]
    public async Task Run_NotOverWithinTimeout_NamesTheImportStillRunningAndExits4()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        UploadAnswers(202, Accepted());
        _app.Given(Request.Create().WithPath(StatusPath).UsingGet()).RespondWith(Json(200, Status("processing", rows: 4, accepted: 2)));

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--poll", "20ms", "--timeout", "3s");

        Assert.Equal(ImportExitCodes.Failed, exitCode);
        AssertInOrder(Output(),
            "error: Not over after 3s (--timeout): still processing, 2 accepted, 0 rejected of 4 rows.",
            $"Import {ImportId} goes on in the app: GET {_app.Url}{StatusPath}");
    }

    [Fact]
    public async Task Run_StatusUnknownToTheApp_PrintsTheProblemAndExits3()
    {
        var leads = LeadList("leads.csv", LeadCsv);
        UploadAnswers(202, Accepted());
        _app.Given(Request.Create().WithPath(StatusPath).UsingGet()).RespondWith(Response.Create()
            .WithStatusCode(404)
            .WithHeader("Content-Type", "application/problem+json")
            .WithBody("""{"title":"No such import.","detail":"No import has the id imp-20261206-7f3a.","status":404}"""));

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--poll", "10ms");

        Assert.Equal(ImportExitCodes.Refused, exitCode);
        AssertInOrder(Output(),
            "error: The app refused reading the import's progress: HTTP 404 Not Found.",
            "No such import.",
            "No import has the id imp-20261206-7f3a.");
    }

    [Theory]
    [InlineData(new string[0], "No app URL: pass --url (e.g. http://localhost:7071) or set SMARKETING_URL.")]
    [InlineData(new[] { "--url", "ftp://example.com" }, "The app URL 'ftp://example.com' is not an http(s) base URL")]
    [InlineData(new[] { "--url", "http://127.0.0.1:9", "--poll", "soon" }, "--poll 'soon' is not a duration such as 500ms, 2s, 5m, 2h or 1h30m.")]
    [InlineData(new[] { "--url", "http://127.0.0.1:9", "--timeout", "0s" }, "--timeout '0s' must be longer than zero.")]
    [InlineData(new[] { "--url", "http://127.0.0.1:9", "--colour" }, "Unknown option 'colour'.")]
    public async Task Run_BadArguments_SaysWhatIsWrongAndExits2WithoutARequest(string[] arguments, string message)
    {
        var leads = LeadList("leads.csv", LeadCsv);

        var exitCode = await RunAsync([leads, .. arguments]);

        Assert.Equal(ImportExitCodes.Usage, exitCode);
        Assert.Contains(message, Output(), StringComparison.Ordinal);
        Assert.Empty(_app.LogEntries);
    }

    [Theory]
    [InlineData("--key", FunctionKey, "--colour")]
    [InlineData("--admin-key=" + AdminKey, "--poll")]
    [InlineData("--key:" + FunctionKey, "extra.csv")]
    public async Task Run_BadArgumentsBesideAKey_NeverEchoesTheKey(params string[] arguments)
    {
        var leads = LeadList("leads.csv", LeadCsv);

        var exitCode = await RunAsync([leads, "--url", _app.Url!, .. arguments]);

        Assert.Equal(ImportExitCodes.Usage, exitCode);
        Assert.Contains("error:", Output(), StringComparison.Ordinal);
        AssertNoKeyPrinted();
        Assert.Empty(_app.LogEntries);
    }

    [Fact]
    public async Task Run_NoArguments_ShowsTheUsageAndExits2()
    {
        var exitCode = await RunAsync();

        Assert.Equal(ImportExitCodes.Usage, exitCode);
        Assert.Contains("smarketing-import <file> [OPTIONS]", Output(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ListOfAnotherKind_RefusedBeforeUploadWithExit2()
    {
        var sheet = LeadList("leads.xlsx", "not a csv");

        var exitCode = await RunAsync(sheet, "--url", _app.Url!);

        Assert.Equal(ImportExitCodes.Usage, exitCode);
        Assert.Contains("is neither .csv nor .jsonl/.ndjson", Output(), StringComparison.Ordinal);
        Assert.Empty(_app.LogEntries);
    }

    [Fact]
    public async Task Run_OutIsTheListItself_RefusedBeforeUploadWithExit2()
    {
        var leads = LeadList("leads.csv", LeadCsv);

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--out", leads);

        Assert.Equal(ImportExitCodes.Usage, exitCode);
        Assert.Contains("is the lead list itself", Output(), StringComparison.Ordinal);
        Assert.Equal(LeadCsv, await File.ReadAllTextAsync(leads));
        Assert.Empty(_app.LogEntries);
    }

    [Fact]
    public async Task Run_OnATerminal_ShowsLiveBarsAndTheSummary()
    {
        _console.Interactive().EmitAnsiSequences().Width(200);
        var leads = LeadList("leads.csv", LeadCsv);
        UploadAnswers(202, Accepted());
        StatusAnswers(
            Status("processing", rows: 4, accepted: 1, rejected: 1, mqls: 1, rowsPerSecond: 2, secondsLeft: 1),
            Finished());
        RejectedAnswers(RejectedCsv);

        var exitCode = await RunAsync(leads, "--url", _app.Url!, "--poll", "150ms");

        Assert.Equal(ImportExitCodes.Finished, exitCode);
        var output = Output();
        Assert.Contains("finished: 2 accepted, 2 rejected of 4 rows", output, StringComparison.Ordinal);
        Assert.Contains("1 handed off of 2 MQLs, 1 dead-lettered", output, StringComparison.Ordinal);
        Assert.Contains("100%", output, StringComparison.Ordinal);
        // The live display draws over itself; the plain lines of a log are not printed on a terminal.
        Assert.DoesNotContain("finished: 2 accepted, 2 rejected of 4 rows; 1 handed off", output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder.FullName, "leads.rejected.csv"), output, StringComparison.Ordinal);
    }

    // A test that goes wrong ends within its own --timeout rather than the default two hours.
    private Task<int> RunAsync(params string[] args) =>
        ImportApp.RunAsync(args.Length == 0 || args.Contains("--timeout") ? args : [.. args, "--timeout", "30s"], _console, name => _environment.GetValueOrDefault(name), CancellationToken.None);

    private string Output() => _console.Output;

    private string LeadList(string name, string content)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private void UploadAnswers(int status, object body) =>
        _app.Given(Request.Create().WithPath("/api/imports").UsingPost()).RespondWith(Json(status, body)
            .WithHeader("Location", StatusPath));

    /// <summary>Each GET of the status gets the next answer; the last one stays.</summary>
    private void StatusAnswers(params object[] answers)
    {
        for (var i = 0; i < answers.Length; i++)
        {
            var (status, body) = answers[i] is ValueTuple<int, string> given ? given : (200, JsonSerializer.Serialize(answers[i], JsonSerializerOptions.Web));
            var request = _app.Given(Request.Create().WithPath(StatusPath).UsingGet());
            if (answers.Length > 1)
            {
                request = request.InScenario("progress");
            }

            if (i > 0)
            {
                request = request.WhenStateIs($"poll {i}");
            }

            if (i < answers.Length - 1)
            {
                request = request.WillSetStateTo($"poll {i + 1}");
            }

            request.RespondWith(Response.Create()
                .WithStatusCode(status)
                .WithHeader("Content-Type", status == 200 ? "application/json" : "application/problem+json")
                .WithBody(body));
        }
    }

    private void RejectedAnswers(string csv) =>
        _app.Given(Request.Create().WithPath(StatusPath + "/rejected").UsingGet()).RespondWith(Response.Create()
            .WithStatusCode(200)
            .WithHeader("Content-Type", "text/csv; charset=utf-8")
            .WithBody(csv));

    private static IResponseBuilder Json(int status, object body) =>
        Response.Create()
            .WithStatusCode(status)
            .WithHeader("Content-Type", "application/json; charset=utf-8")
            .WithBody(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));

    private static object Accepted(string state = "received", bool duplicate = false) =>
        new { importId = ImportId, state, duplicate };

    private static object Status(
        string state, long? rows = null, long accepted = 0, long rejected = 0, long mqls = 0, long handedOff = 0, long deadLettered = 0,
        double? rowsPerSecond = null, double? secondsLeft = null, string? failure = null) =>
        new
        {
            importId = ImportId,
            state,
            rows,
            accepted,
            rejected,
            mqls,
            handedOff,
            deadLettered,
            receivedAt = DateTimeOffset.Parse("2026-12-06T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            startedAt = (DateTimeOffset?)null,
            finishedAt = state is "finished" or "failed"
                ? DateTimeOffset.Parse("2026-12-06T09:03:05Z", System.Globalization.CultureInfo.InvariantCulture)
                : (DateTimeOffset?)null,
            rowsPerSecond,
            estimatedSecondsLeft = secondsLeft,
            failure,
        };

    private static object Finished(long rejected = 2, long deadLettered = 1) =>
        Status("finished", rows: 4, accepted: 4 - rejected, rejected: rejected, mqls: 2, handedOff: 2 - deadLettered, deadLettered: deadLettered);

    private static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private void AssertNoKeyPrinted()
    {
        Assert.DoesNotContain(FunctionKey, Output(), StringComparison.Ordinal);
        Assert.DoesNotContain(AdminKey, Output(), StringComparison.Ordinal);
    }

    private static void AssertInOrder(string output, params string[] expected)
    {
        var from = 0;
        foreach (var text in expected)
        {
            var at = output.IndexOf(text, from, StringComparison.Ordinal);
            Assert.True(at >= 0, $"'{text}' not found (in order) in:\n{output}");
            from = at + text.Length;
        }
    }
}
