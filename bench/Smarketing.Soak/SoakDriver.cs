using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Smarketing.Core.Intake.Generic;
using Smarketing.Core.Intake.HubSpot;
using Spectre.Console;

namespace Smarketing.Soak;

/// <summary>
/// The soak's orchestrator: the fault proxy in front of Azurite, the chaotic CRM, the app as a child process
/// (killed twice), the vendors sending leads; then it waits for every MQL to be SAL or dead-lettered, stops the
/// faults, replays the dead letters through the app's replay endpoint and checks the outcome.
/// </summary>
public sealed class SoakDriver : IDisposable
{
    private const string FunctionKey = "soak-function-key";
    private const string MasterKey = "soak-master-key";
    private const string AdminKey = "soak-admin-Xq4Lr8Ve2Tc6Nw9Pz1Kh5Bj3Mf7Ds0G";
    private const string GenericSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string HubSpotSecret = "soak-hubspot-client-secret-0001";
    private const string MarketoSecret = "soak-marketo-shared-secret-0001";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SoakOptions _options;
    private readonly IAnsiConsole _console;
    private readonly Random _random;
    private readonly Stopwatch _clock = new();
    private readonly TableClient _deadLetters;
    private readonly ConcurrentDictionary<string, int> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _other5xx = new();
    private readonly ConcurrentDictionary<int, string> _acceptedLeadIds = new();
    private readonly ConcurrentBag<int> _notDelivered = [];
    private readonly List<TimeSpan> _kills = [];
    private readonly Lock _hostLock = new();
    private int _accepted;
    private int _answeredDuplicate;
    private int _answered503;
    private int _vendorRetries;
    private int _deliveriesSent;
    private volatile bool _faultsStopped;
    private Process? _host;
    private int _hostPort;
    private StreamWriter? _hostLog;

    public SoakDriver(SoakOptions options, IAnsiConsole console)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _console = console ?? throw new ArgumentNullException(nameof(console));

        // One line per progress report and one row per table line, whatever the terminal: pasted into docs as printed.
        _console.Profile.Width = Math.Max(_console.Profile.Width, 200);
        _random = new Random(options.Seed);
        _deadLetters = new TableServiceClient(DirectConnection()).GetTableClient("HandoffDeadLetters");
    }

    private CrmWeather Weather()
    {
        if (_faultsStopped)
        {
            return CrmWeather.Calm;
        }

        var t = _clock.Elapsed;
        if (t >= _options.OutageAt && t < _options.OutageAt + _options.OutageFor)
        {
            return CrmWeather.Outage;
        }

        return t >= _options.UnauthorizedAt && t < _options.UnauthorizedAt + _options.UnauthorizedFor ? CrmWeather.Unauthorized : CrmWeather.Stormy;
    }

    public async Task<SoakResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var o = _options;
        await using var tableProxy = new FaultProxy(o.TablePort, 0.01, o.Seed + 1);
        await using var queueProxy = new FaultProxy(o.QueuePort, 0.01, o.Seed + 2);
        tableProxy.Start();
        queueProxy.Start();
        await using var crm = new ChaosCrm(Weather, o.Seed + 3);
        await crm.StartAsync();
        var logPath = o.HostLogPath ?? Path.Combine(Path.GetTempPath(), $"smarketing-soak-host-{Environment.ProcessId}.log");
        _hostLog = new StreamWriter(logPath, append: false) { AutoFlush = true };
        _hostPort = FreePort();
        var settings = HostSettings(tableProxy.Port, queueProxy.Port, crm.BaseAddress);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(30) };
        var baseAddress = new Uri($"http://127.0.0.1:{_hostPort}/");

        // The admin endpoints work through every dead letter in one request; the Functions host gives an HTTP request 230 s.
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(230) };
        _console.WriteLine($"soak: {o.Leads} leads, concurrency {o.Concurrency}, seed {o.Seed}; CRM outage {o.OutageAt.TotalSeconds:F0}–{(o.OutageAt + o.OutageFor).TotalSeconds:F0} s, " +
                           $"401 {o.UnauthorizedAt.TotalSeconds:F0}–{(o.UnauthorizedAt + o.UnauthorizedFor).TotalSeconds:F0} s; app log {logPath}");
        try
        {
            await StartHostAsync(settings, http, baseAddress, cancellationToken);
            var plan = Deliveries.Plan(o.Leads, _random);
            // One kill in each half of the kill window, so one usually falls while leads are still arriving.
            var middle = o.KillFrom + ((o.KillTo - o.KillFrom) / 2);
            var killAt = new[] { Between(o.KillFrom, middle), Between(middle, o.KillTo) };
            _clock.Start();
            using var sendingDone = new CancellationTokenSource();

            // A restart that fails ends the run at once with its reason; before, the deliveries went on retrying
            // against an app that was not there until the caller's time ran out.
            using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var killer = Task.Run(() => KillTwiceAsync(killAt, settings, http, baseAddress, cancellationToken), cancellationToken);
            _ = killer.ContinueWith(_ => sending.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            var progress = Task.Run(() => ProgressAsync(plan.Count, sendingDone.Token), CancellationToken.None);
            try
            {
                await SendAllAsync(plan, http, baseAddress, sending.Token);
            }
            catch (OperationCanceledException) when (killer.IsFaulted)
            {
                await sendingDone.CancelAsync();
                await killer;
            }

            await sendingDone.CancelAsync();
            await progress;
            _console.WriteLine($"{Now()} all deliveries answered ({_accepted} accepted)");
            await killer;

            // Every MQL SAL or dead-lettered, while the random CRM faults and storage resets go on.
            var ledger = new TableServiceClient(DirectConnection()).GetTableClient("LeadLedger");
            var settleDeadline = o.FaultWindowsEnd + o.SettleTimeout;
            Snapshot snapshot;
            while (true)
            {
                snapshot = await SnapshotAsync(ledger, http, baseAddress, cancellationToken);
                var waitingForWindows = _clock.Elapsed < o.FaultWindowsEnd;
                _console.WriteLine($"{Now()} settling: {snapshot.Mqls.Count} MQLs, {snapshot.Sal} SAL, {snapshot.DeadLetters.Count} dead letters, {snapshot.Unsettled} neither");
                if ((!waitingForWindows && snapshot.Unsettled == 0) || _clock.Elapsed > settleDeadline)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            }

            var unsettled = snapshot.Unsettled;

            // The faults stop; every dead letter is replayed through the app, as an operator would.
            _faultsStopped = true;
            tableProxy.Faulty = false;
            queueProxy.Faulty = false;
            var listing = Stopwatch.StartNew();
            var deadLetters = (await ListDeadLettersAsync(admin, baseAddress, cancellationToken)).ToList();
            listing.Stop();
            var replaying = Stopwatch.StartNew();
            var replayedLeads = new HashSet<string>(StringComparer.Ordinal);
            var replayed = 0;
            for (var round = 0; round < 20; round++)
            {
                var answer = await ReplayAllAsync(admin, baseAddress, cancellationToken);
                replayed += answer.ReplayedCount;
                foreach (var item in answer.Replayed.Where(r => r.LeadId is not null))
                {
                    replayedLeads.Add(item.LeadId!);
                }

                if (!answer.Truncated || answer.ReplayedCount == 0)
                {
                    break;
                }
            }

            replaying.Stop();
            _console.WriteLine($"{Now()} faults stopped; {deadLetters.Count} dead letters listed in {listing.Elapsed.TotalSeconds:F1} s, {replayed} replayed in {replaying.Elapsed.TotalSeconds:F1} s");
            var replayDeadline = _clock.Elapsed + o.ReplayTimeout;
            while (true)
            {
                snapshot = await SnapshotAsync(ledger, http, baseAddress, cancellationToken);
                var notSal = snapshot.Mqls.Values.Count(s => !s.HandedOff);
                _console.WriteLine($"{Now()} after replay: {snapshot.Sal} of {snapshot.Mqls.Count} MQLs SAL, {snapshot.DeadLetters.Count} dead letters");
                if (notSal == 0 || _clock.Elapsed > replayDeadline)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }

            return Result(plan, snapshot, deadLetters, replayed, replayedLeads, unsettled, crm, tableProxy, queueProxy) with
            {
                ListSeconds = listing.Elapsed.TotalSeconds,
                ReplaySeconds = replaying.Elapsed.TotalSeconds,
            };
        }
        finally
        {
            StopHost();
            await _hostLog.DisposeAsync();
        }
    }

    private SoakResult Result(
        List<Delivery> plan,
        Snapshot final,
        List<DeadLetterItem> deadLetters,
        int replayed,
        HashSet<string> replayedLeads,
        int unsettled,
        ChaosCrm crm,
        FaultProxy tableProxy,
        FaultProxy queueProxy)
    {
        var originals = plan.Where(d => !d.Repeat).ToList();
        var expectedMql = originals.Where(d => d.Mql).Select(d => d.Lead).ToHashSet();
        var mqlLeadIds = final.Mqls.Keys.ToHashSet(StringComparer.Ordinal);

        // Lost: a qualified lead the vendor could not deliver, one accepted but missing from the ledger or never MQL,
        // or one MQL but not SAL once the faults stopped and the dead letters were replayed.
        var lost = expectedMql.Count(i => !_acceptedLeadIds.TryGetValue(i, out var id) || !mqlLeadIds.Contains(id))
                   + final.Mqls.Values.Count(s => !s.HandedOff);
        var created = crm.CreatedPerLead();
        var duplicateRecords = created.Values.Sum(n => Math.Max(0, n - 1));
        var recordsOfNonMqls = created.Keys.Count(id => !mqlLeadIds.Contains(id));
        var speeds = final.Mqls.Values.Where(s => s.SpeedToLeadMs is not null).Select(s => s.SpeedToLeadMs!.Value / 1000.0).Order().ToArray();
        var failures = new List<string>();
        if (lost > 0)
        {
            failures.Add($"{lost} qualified leads lost");
        }

        if (duplicateRecords > 0)
        {
            failures.Add($"{duplicateRecords} duplicate CRM records");
        }

        if (recordsOfNonMqls > 0)
        {
            failures.Add($"{recordsOfNonMqls} CRM records of leads that were never MQL");
        }

        if (unsettled > 0)
        {
            failures.Add($"{unsettled} MQLs were neither SAL nor dead-lettered within {_options.SettleTimeout.TotalSeconds:F0} s of the last fault window");
        }

        var withoutReason = deadLetters.Count(d => string.IsNullOrWhiteSpace(d.Reason));
        if (withoutReason > 0)
        {
            failures.Add($"{withoutReason} dead letters without a reason");
        }

        var replayedNotSal = replayedLeads.Count(id => !final.Mqls.TryGetValue(id, out var s) || !s.HandedOff);
        if (replayedNotSal > 0)
        {
            failures.Add($"{replayedNotSal} replayed dead letters did not reach SAL");
        }

        if (!_other5xx.IsEmpty)
        {
            failures.Add($"{_other5xx.Values.Sum()} 5xx answers other than 503 with Retry-After");
        }

        return new SoakResult
        {
            LeadsSent = originals.Count,
            DeliveriesSent = _deliveriesSent,
            Accepted = _accepted,
            Refused = new Dictionary<string, int>(_refused, StringComparer.Ordinal),
            Mqls = final.Mqls.Count,
            Sal = final.Sal,
            CrmRecords = crm.Records,
            DuplicateCrmRecords = duplicateRecords,
            CrmRecordsOfNonMqls = recordsOfNonMqls,
            DuplicateDeliveriesSent = plan.Count(d => d.Repeat),
            AnsweredDuplicate = _answeredDuplicate,
            Lost = lost,
            DeadLettered = deadLetters.GroupBy(d => d.Kind ?? "(none)").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            DeadLettersWithoutReason = withoutReason,
            Replayed = replayed,
            ReplayedNotSal = replayedNotSal,
            UnsettledMqls = unsettled,
            Answered503WithRetryAfter = _answered503,
            Other5xx = new Dictionary<int, int>(_other5xx),
            VendorRetries = _vendorRetries,
            SpeedToLeadP50Seconds = Percentile(speeds, 0.50),
            SpeedToLeadP99Seconds = Percentile(speeds, 0.99),
            CrmCalls = crm.Calls,
            CrmFaults = crm.Faults,
            StorageConnections = tableProxy.Connections + queueProxy.Connections,
            StorageResets = tableProxy.Resets + queueProxy.Resets,
            Kills = [.. _kills],
            Elapsed = _clock.Elapsed,
            Failures = failures,
        };
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private string Now() => string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:F1} s]");

    private TimeSpan Between(TimeSpan from, TimeSpan to) => from + ((to - from) * _random.NextDouble());

    private async Task ProgressAsync(int total, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), done).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _console.WriteLine($"{Now()} sending: {Volatile.Read(ref _deliveriesSent)} of {total} deliveries answered, CRM: {Weather()}");
        }
    }

    private async Task SendAllAsync(List<Delivery> plan, HttpClient http, Uri baseAddress, CancellationToken cancellationToken)
    {
        var next = -1;
        var workers = Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < plan.Count)
            {
                await DeliverAsync(plan[i], http, baseAddress, cancellationToken);
                Interlocked.Increment(ref _deliveriesSent);
            }
        }, cancellationToken));
        await Task.WhenAll(workers);
    }

    /// <summary>Delivers as a vendor does: a 5xx, a 429 or a broken connection is retried (honouring Retry-After); a 4xx is final.</summary>
    private async Task DeliverAsync(Delivery delivery, HttpClient http, Uri baseAddress, CancellationToken cancellationToken)
    {
        var giveUpAt = _clock.Elapsed + TimeSpan.FromMinutes(10);
        var backoff = TimeSpan.FromMilliseconds(200);
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                Interlocked.Increment(ref _vendorRetries);
            }

            if (_clock.Elapsed > giveUpAt)
            {
                _notDelivered.Add(delivery.Lead);
                return;
            }

            HttpResponseMessage response;
            try
            {
                using var request = Request(delivery, baseAddress);
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (status >= 500)
                {
                    if (status == 503 && response.Headers.RetryAfter is not null)
                    {
                        Interlocked.Increment(ref _answered503);
                    }
                    else
                    {
                        _other5xx.AddOrUpdate(status, 1, (_, n) => n + 1);
                    }
                }

                if (status >= 500 || status == 429)
                {
                    var wait = response.Headers.RetryAfter?.Delta ?? backoff;
                    await Task.Delay(wait > TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : wait, cancellationToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                    continue;
                }

                if (status is >= 200 and < 300)
                {
                    var answer = JsonSerializer.Deserialize<IntakeAnswer>(text, Json)!;
                    Interlocked.Increment(ref _accepted);
                    if (answer.Duplicate)
                    {
                        Interlocked.Increment(ref _answeredDuplicate);
                    }

                    _acceptedLeadIds.TryAdd(delivery.Lead, answer.LeadId);
                    return;
                }

                _refused.AddOrUpdate(RefusalReason(status, text), 1, (_, n) => n + 1);
                return;
            }
        }
    }

    private static string RefusalReason(int status, string text)
    {
        try
        {
            using var problem = JsonDocument.Parse(text);
            return problem.RootElement.TryGetProperty("title", out var title) ? $"{status} {title.GetString()}" : status.ToString(CultureInfo.InvariantCulture);
        }
        catch (JsonException)
        {
            return status.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static HttpRequestMessage Request(Delivery delivery, Uri baseAddress)
    {
        var path = delivery.Source == Deliveries.Generic ? "api/leads" : "api/leads/" + delivery.Source;
        var uri = new Uri(baseAddress, path + "?code=" + FunctionKey);
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var now = DateTimeOffset.UtcNow;
        switch (delivery.Source)
        {
            case Deliveries.Generic:
                StandardWebhooks.TryDecodeSecret(GenericSecret, out var key);
                var ts = now.ToUnixTimeSeconds();
                request.Headers.Add(StandardWebhooks.IdHeader, delivery.WebhookId);
                request.Headers.Add(StandardWebhooks.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(key, delivery.WebhookId, ts, delivery.Body));
                break;
            case Deliveries.HubSpot:
                var ms = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                request.Headers.Add(HubSpotSignatures.TimestampHeader, ms);
                request.Headers.Add(HubSpotSignatures.V3Header, HubSpotSignatures.SignV3(HubSpotSecret, "POST", uri.AbsoluteUri, delivery.Body, ms));
                break;
            default:
                request.Headers.Add("X-Smarketing-Secret", MarketoSecret);
                break;
        }

        return request;
    }

    private async Task KillTwiceAsync(TimeSpan[] killAt, Dictionary<string, string> settings, HttpClient http, Uri baseAddress, CancellationToken cancellationToken)
    {
        foreach (var at in killAt)
        {
            var wait = at - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            Process host;
            lock (_hostLock)
            {
                host = _host!;
            }

            _kills.Add(_clock.Elapsed);
            host.Kill(); // SIGKILL: no shutdown, no flush, in-flight requests and handoffs cut wherever they are.
            await host.WaitForExitAsync(cancellationToken);
            _console.WriteLine($"{Now()} app killed (SIGKILL); restarting");
            await StartHostAsync(settings, http, baseAddress, cancellationToken);
            _console.WriteLine($"{Now()} app restarted");
        }
    }

    private async Task StartHostAsync(Dictionary<string, string> settings, HttpClient http, Uri baseAddress, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(SoakDriver).Assembly.Location);
        info.ArgumentList.Add("host");
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add(key + "=" + value);
        }

        // The Functions host restarts a worker that fails to start; so does the soak, a few times, each failure logged.
        for (var attempt = 1; ; attempt++)
        {
            var process = Launch(info);
            var deadline = DateTime.UtcNow.AddSeconds(150);
            while (!process.HasExited)
            {
                try
                {
                    using var probe = await http.GetAsync(new Uri(baseAddress, "api/leads/soak-probe?code=" + FunctionKey), cancellationToken);
                    return;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }

            _console.WriteLine($"{Now()} the app exited with code {process.ExitCode} while starting (attempt {attempt}); see its log");
            if (attempt == 3)
            {
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} at start {attempt} times; see its log.");
            }
        }
    }

    private Process Launch(ProcessStartInfo info)
    {
        var process = Process.Start(info) ?? throw new InvalidOperationException("The app process did not start.");
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_hostLock)
        {
            _host = process;
        }

        return process;
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_hostLock)
        {
            _hostLog?.WriteLine(line);
        }
    }

    private void StopHost()
    {
        lock (_hostLock)
        {
            if (_host is { HasExited: false })
            {
                _host.Kill();
                _host.WaitForExit(10_000);
            }
        }
    }

    private Dictionary<string, string> HostSettings(int tableProxyPort, int queueProxyPort, Uri crm)
    {
        var account = _options.AccountName;
        return new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={_options.AccountKey};" +
                                      $"TableEndpoint=http://127.0.0.1:{tableProxyPort}/{account};QueueEndpoint=http://127.0.0.1:{queueProxyPort}/{account};",
            ["Crm:Provider"] = "HubSpot",
            ["Crm:HubSpot:BaseUrl"] = crm.ToString().TrimEnd('/'),
            ["Crm:HubSpot:AccessToken"] = ChaosCrm.AccessToken,
            ["Crm:Resilience:TotalTimeout"] = "00:00:08",
            ["Crm:Resilience:AttemptTimeout"] = "00:00:02",
            ["Crm:Resilience:MaxRetries"] = "2",
            ["Crm:Resilience:BaseDelay"] = "00:00:00.200",
            ["Crm:Resilience:MaxDelay"] = "00:00:01",
            ["Crm:Resilience:MaxRetryAfter"] = "00:00:02",
            ["Crm:Resilience:SamplingDuration"] = "00:00:05",
            ["Crm:Resilience:BreakDuration"] = "00:00:02",
            ["Handoff:ReconcileGrace"] = "00:00:10",

            // The CRM circuit on the soak's compressed time scale: its outage and 401 window last seconds, not hours.
            ["Crm:Circuit:ProbeDelay"] = "00:00:02",
            ["Crm:Circuit:MaxProbeDelay"] = "00:00:08",
            ["Crm:Circuit:DailyLimitProbeDelay"] = "00:00:08",
            ["Crm:Circuit:CredentialsProbeDelay"] = "00:00:04",
            ["Crm:Circuit:DeferralJitter"] = "00:00:01",

            // A compressed day: the CRM stand-in takes any rate (its faults include 429s), so the shared request budget is
            // set above what the soak sends; CrmRequestBudgetTests and CrmBudgetHandoffTests hold the budget itself.
            ["Crm:Budget:HubSpot:Requests"] = "1000",
            ["Crm:Budget:HubSpot:Window"] = "00:00:01",
            ["Routing:Reps"] = "rep-ada,rep-grace,rep-linus",
            ["Intake:Generic:Secrets"] = GenericSecret,
            ["Intake:LeadIdKey"] = "soak_lid_7Hq2Vx9Lm4Rt8Nw3Kc6Zb1Fy5Gd0Pj",
            ["Intake:HubSpot:ClientSecrets"] = HubSpotSecret,
            ["Intake:Marketo:Secrets"] = MarketoSecret,
            [SoakHost.PortSetting] = _hostPort.ToString(CultureInfo.InvariantCulture),
            [SoakHost.FunctionKeySetting] = FunctionKey,
            [SoakHost.MasterKeySetting] = MasterKey,
            ["Admin:Keys"] = AdminKey,
            [SoakHost.ListenersSetting] = "16",
            [SoakHost.VisibilityTimeoutSetting] = "00:00:02",
            [SoakHost.LeaseSetting] = "00:00:20",
            [SoakHost.ReconcileEverySetting] = "00:00:03",
        };
    }

    private string DirectConnection() =>
        $"DefaultEndpointsProtocol=http;AccountName={_options.AccountName};AccountKey={_options.AccountKey};" +
        $"TableEndpoint=http://127.0.0.1:{_options.TablePort}/{_options.AccountName};QueueEndpoint=http://127.0.0.1:{_options.QueuePort}/{_options.AccountName};";

    private async Task<Snapshot> SnapshotAsync(TableClient ledger, HttpClient http, Uri baseAddress, CancellationToken cancellationToken)
    {
        var mqls = new Dictionary<string, LeadState>(StringComparer.Ordinal);
        await foreach (var row in ledger.QueryAsync<TableEntity>(
                           "RowKey eq 'ledger'", maxPerPage: 1000, select: ["LeadId", "Status", "MqlAt", "SpeedToLeadMs", "HandedOffAt"], cancellationToken: cancellationToken))
        {
            if (row.GetDateTimeOffset("MqlAt") is null)
            {
                continue;
            }

            var status = row.GetString("Status");
            var handedOff = status is "SAL" or "SQL" or "CLOSED_WON" or "CLOSED_LOST" || row.GetDateTimeOffset("HandedOffAt") is not null;
            mqls[row.GetString("LeadId")!] = new LeadState(handedOff, row.GetInt64("SpeedToLeadMs"));
        }

        var deadLetters = await ReadDeadLettersAsync(cancellationToken);
        var deadLettered = deadLetters.Where(d => !string.IsNullOrWhiteSpace(d.Reason) && d.LeadId is not null).Select(d => d.LeadId!).ToHashSet(StringComparer.Ordinal);
        var unsettled = mqls.Count(m => !m.Value.HandedOff && !deadLettered.Contains(m.Key));
        return new Snapshot(mqls, mqls.Values.Count(s => s.HandedOff), deadLetters, unsettled);
    }

    /// <summary>
    /// The dead letters as stored (table <c>HandoffDeadLetters</c>), read by the soak itself: the app's listing reads
    /// the ledger row of each dead letter too, which takes longer than a soak's polling interval when there are thousands.
    /// </summary>
    private async Task<IReadOnlyList<DeadLetterItem>> ReadDeadLettersAsync(CancellationToken cancellationToken)
    {
        var items = new List<DeadLetterItem>();
        try
        {
            await foreach (var row in _deadLetters.QueryAsync<TableEntity>(select: ["MessageId", "LeadId", "Kind", "Reason"], cancellationToken: cancellationToken))
            {
                items.Add(new DeadLetterItem(row.GetString("MessageId"), row.GetString("LeadId"), row.GetString("Kind"), row.GetString("Reason")));
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // No dead letter yet.
        }

        return items;
    }

    private async Task<IReadOnlyList<DeadLetterItem>> ListDeadLettersAsync(HttpClient http, Uri baseAddress, CancellationToken cancellationToken)
    {
        var answer = await AdminAsync<DeadLetterList>(http, HttpMethod.Get, new Uri(baseAddress, "api/handoffs/poison"), null, cancellationToken);
        return answer.Items;
    }

    private Task<ReplayAnswer> ReplayAllAsync(HttpClient http, Uri baseAddress, CancellationToken cancellationToken) =>
        AdminAsync<ReplayAnswer>(http, HttpMethod.Post, new Uri(baseAddress, "api/handoffs/poison/replay"), "{\"all\": true}", cancellationToken);

    /// <summary>An admin call with the master key and an admin key, retried while the app restarts or storage answers 503.</summary>
    private static async Task<T> AdminAsync<T>(HttpClient http, HttpMethod method, Uri uri, string? body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.Add("x-functions-key", MasterKey);
                request.Headers.Add("X-Smarketing-Admin-Key", AdminKey);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return JsonSerializer.Deserialize<T>(text, Json)!;
                }

                if (attempt >= 30 || (int)response.StatusCode < 500)
                {
                    throw new InvalidOperationException($"{method} {uri.AbsolutePath} answered {(int)response.StatusCode}: {text}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && attempt < 30 && !cancellationToken.IsCancellationRequested)
            {
                // The app is restarting.
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => _hostLog?.Dispose();

    private sealed record LeadState(bool HandedOff, long? SpeedToLeadMs);

    private sealed record Snapshot(Dictionary<string, LeadState> Mqls, int Sal, IReadOnlyList<DeadLetterItem> DeadLetters, int Unsettled);

    private sealed record IntakeAnswer(string LeadId, string Status, bool Duplicate);

    private sealed record DeadLetterItem(string? MessageId, string? LeadId, string? Kind, string? Reason);

    private sealed record DeadLetterList(int Count, bool Truncated, List<DeadLetterItem> Items);

    private sealed record ReplayAnswer(int ReplayedCount, List<DeadLetterItem> Replayed, bool Truncated);
}
