using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;
using Smarketing.Functions;
using Smarketing.Functions.Composition;
using Smarketing.Functions.LeadImports;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Infrastructure;

namespace Smarketing.Tests.Imports;

/// <summary>
/// The bulk import benchmark (issue 12): N generated leads (deterministic, half MQL, <see cref="ImportTesting.GeneratedCsv"/>)
/// uploaded through the real <see cref="SubmitImport"/> and worked off by the real queue functions, driven by the host's
/// queue listener stand-ins (16 messages per queue at once, all queues at once), against a fake CRM that enforces the real
/// limits, on the real clock. Counts every storage request of the app (the listeners' own receive and delete are the host's
/// and are not counted), checks that no lead is lost or doubled, and measures the two floors in the same run. Used by
/// <c>bench/import/run.sh</c> (100,000 leads) and by <see cref="ImportBenchmarkTests"/> (2,000 leads).
/// </summary>
public static class ImportBenchmark
{
    public const string HubSpot = "hubspot";
    public const string Salesforce = "salesforce";

    /// <summary>
    /// Imports <paramref name="leads"/> leads into <paramref name="crm"/> on the storage account of
    /// <paramref name="connectionString"/>, <paramref name="concurrency"/> messages per queue at once, writing progress to
    /// <paramref name="progress"/>, with <paramref name="settings"/> on top of the test app's and the fake CRM's (to try a
    /// tuning against the same figures).
    /// </summary>
    public static async Task<ImportBenchResult> RunAsync(string crm, int leads, string connectionString, int concurrency = 16, TextWriter? progress = null, IDictionary<string, string?>? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(leads, 2);
        await using FakeCrmServer fake = crm switch
        {
            HubSpot => await FakeHubSpot.StartNewAsync(),
            Salesforce => await FakeSalesforce.StartNewAsync(),
            _ => throw new ArgumentException($"Unknown CRM '{crm}': hubspot or salesforce.", nameof(crm)),
        };
        var counter = new StorageRequestCounter();
        var appSettings = fake.Settings();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            appSettings[key] = value;
        }

        using var host = await StartAppAsync(connectionString, appSettings, counter);
        var services = host.Services;
        var store = services.GetRequiredService<ImportStore>();
        var layout = services.GetRequiredService<StorageLayout>();
        var bulk = services.GetRequiredService<BulkHandoff>();

        // The host's listeners, on clients of their own: their polling is the host's work, not the app's.
        var hostQueues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var queueSettings = HostQueueSettings.FromHostJson();
        QueueClient Queue(QueueClient app) => hostQueues.GetQueueClient(app.Name);
        var chunkTimes = new System.Collections.Concurrent.ConcurrentBag<double>();
        var batchTimes = new System.Collections.Concurrent.ConcurrentBag<double>();
        var listeners = new[]
        {
            new QueueTriggerHost(Queue(store.Work), Queue(store.WorkPoison), queueSettings, (m, ct) => TimedAsync(chunkTimes, () => Function<ProcessImport>(services).Run(m, ct))) { Concurrency = concurrency, RetryDelay = TimeSpan.FromMilliseconds(500) },
            new QueueTriggerHost(Queue(store.Batches), Queue(store.BatchesPoison), queueSettings, (m, ct) => TimedAsync(batchTimes, () => Function<HandOffMqlBatch>(services).Run(m, ct))) { Concurrency = concurrency, RetryDelay = TimeSpan.FromMilliseconds(500) },
            new QueueTriggerHost(Queue(bulk.Queue), Queue(bulk.PoisonQueue), queueSettings, (m, ct) => Function<HandOffMqlBulk>(services).Run(m, ct)) { RetryDelay = TimeSpan.FromMilliseconds(500) },
            new QueueTriggerHost(Queue(layout.Handoff), Queue(layout.HandoffPoison), queueSettings, (m, ct) => Function<HandOffMql>(services).Run(m, ct))
            {
                Concurrency = concurrency,
                RetryDelay = TimeSpan.FromMilliseconds(500),
                PoisonListener = new QueueTriggerHost(Queue(layout.HandoffPoison), hostQueues.GetQueueClient(layout.HandoffPoison.Name + "-poison"), queueSettings, (m, ct) => Function<RecordPoisonedHandoff>(services).Run(m, ct)),
            },
        };

        var csv = ImportTesting.GeneratedCsv(leads);
        progress?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{crm}: {leads:N0} leads ({Encoding.UTF8.GetByteCount(csv) / 1024.0 / 1024.0:F1} MB of CSV), {concurrency} messages per queue at once, {Environment.ProcessorCount} cores"));
        counter.Reset();
        var clock = Stopwatch.StartNew();
        var request = TestApp.AdminRequest("POST", "/api/imports", csv);
        request.ContentType = "text/csv";
        var posted = await HttpInvoker.ExecuteAsync(request, await Function<SubmitImport>(services).Run(request, cancellationToken));
        if (posted.Status != 202)
        {
            throw new InvalidOperationException($"The upload answered {posted.Status}: {posted.Body}");
        }

        csv = null;
        var importId = posted.Json.GetProperty("importId").GetString()!;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = listeners.Select(l => Task.Run(() => ListenAsync(l, stop.Token), CancellationToken.None)).ToList();

        TimeSpan? accepted = null;
        TimeSpan handedOff;
        var lastPrinted = TimeSpan.Zero;
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            HttpResult answer;
            using (StorageRequestCounter.Pause())
            {
                var get = TestApp.AdminRequest("GET", "/api/imports/" + importId);
                answer = await HttpInvoker.ExecuteAsync(get, await Function<GetImport>(services).Run(get, importId, cancellationToken));
            }

            // A loaded Azurite may answer the status read with a 503 now and then; the next poll reads it again.
            if (answer.Status != 200)
            {
                continue;
            }

            var state = answer.Json;

            var rows = state.TryGetProperty("rows", out var r) && r.ValueKind == System.Text.Json.JsonValueKind.Number ? r.GetInt64() : -1;
            var done = state.GetProperty("accepted").GetInt64() + state.GetProperty("rejected").GetInt64();
            var name = state.GetProperty("state").GetString();
            if (accepted is null && rows >= 0 && done == rows && name is ImportStates.HandingOff or ImportStates.Finished)
            {
                accepted = clock.Elapsed;
            }

            if (progress is not null && clock.Elapsed - lastPrinted > TimeSpan.FromSeconds(15))
            {
                lastPrinted = clock.Elapsed;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {clock.Elapsed.TotalSeconds,6:F0} s  {name}: {done:N0} recorded, {state.GetProperty("handedOff").GetInt64():N0} handed off"));
            }

            if (name is ImportStates.Finished or ImportStates.Failed)
            {
                handedOff = clock.Elapsed;
                accepted ??= handedOff;
                if (name is ImportStates.Failed)
                {
                    throw new InvalidOperationException($"The import failed: {state}");
                }

                break;
            }

            if (listeners.SelectMany(l => l.Errors).Any() && listeners.Sum(l => l.Failures) > 1000)
            {
                throw new InvalidOperationException("The import's functions keep failing: " + listeners.SelectMany(l => l.Errors).First());
            }
        }

        var roundTrips = counter.Count;
        progress?.WriteLine("  invocations: lead-imports " + Durations(chunkTimes) + "; mql-handoff-batch " + Durations(batchTimes));
        progress?.WriteLine("  storage requests by resource: " + string.Join(", ", counter.ByResource.OrderByDescending(r => r.Value).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value}"))));
        var ledgerWrites = counter.LedgerWrites;
        await stop.CancelAsync();
        await Task.WhenAll(running);

        var (lost, duplicates, mqls) = await CheckAsync(services, fake, leads, cancellationToken);
        var crmCalls = fake switch
        {
            FakeHubSpot h => h.ReceivedRequests,
            FakeSalesforce s => s.ApiRequestCount,
            _ => 0L,
        };
        var limited = fake is FakeHubSpot hub ? hub.RateLimitedResponses : 0;
        var storageFloor = await StorageFloorAsync(connectionString, layout, ledgerWrites, concurrency, cancellationToken);
        var crmFloor = CrmFloor(services, crm, mqls);
        return new ImportBenchResult(
            crm, leads, mqls, accepted.Value, handedOff, crmCalls, limited, roundTrips, ledgerWrites, lost, duplicates, storageFloor, crmFloor.Floor, crmFloor.Explanation,
            listeners.Sum(l => l.Failures), fake is FakeHubSpot max ? max.MaxRequestsInWindow : null);
    }

    private static async Task TimedAsync(System.Collections.Concurrent.ConcurrentBag<double> times, Func<Task> invocation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await invocation();
        }
        finally
        {
            times.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private static string Durations(System.Collections.Concurrent.ConcurrentBag<double> times)
    {
        var sorted = times.Order().ToArray();
        double At(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return string.Create(CultureInfo.InvariantCulture, $"{sorted.Length} (p50 {At(0.5):F1} s, p90 {At(0.9):F1} s, max {At(1):F1} s, sum {sorted.Sum():F0} s)");
    }

    private static T Function<T>(IServiceProvider services) => ActivatorUtilities.CreateInstance<T>(services);

    private static async Task<IHost> StartAppAsync(string connectionString, IDictionary<string, string?> crmSettings, StorageRequestCounter counter)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        var values = new Dictionary<string, string?>(TestApp.DefaultSettings) { [StorageOptions.ConnectionSetting] = connectionString };
        foreach (var (key, value) in crmSettings)
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddSmarketing();
        builder.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(counter, HttpPipelinePosition.PerRetry));
        builder.Services.ConfigureAll<QueueClientOptions>(o => o.AddPolicy(counter, HttpPipelinePosition.PerRetry));
        builder.Services.ConfigureAll<BlobClientOptions>(o => o.AddPolicy(counter, HttpPipelinePosition.PerRetry));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    // The host runs every queue trigger for the life of the process; its stand-in runs each queue until stopped.
    private static async Task ListenAsync(QueueTriggerHost listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await listener.RunUntilEmptyAsync(TimeSpan.FromHours(6), stop);
                await Task.Delay(TimeSpan.FromMilliseconds(100), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // Every lead is in the ledger, every MQL is SAL there and has exactly one CRM record, and no other lead has one.
    private static async Task<(long Lost, long Duplicates, int Mqls)> CheckAsync(IServiceProvider services, FakeCrmServer fake, int leads, CancellationToken cancellationToken)
    {
        var ids = services.GetRequiredService<LeadIds>();
        var ledger = services.GetRequiredService<ILeadLedger>();
        var leadIds = Enumerable.Range(0, leads).Select(i => Identifiers.NormalizeLeadId(ids.For(null, $"lead{i.ToString(CultureInfo.InvariantCulture)}@example.com"))).ToArray();
        var mqlIds = leadIds.Where((_, i) => i % 2 == 0).ToHashSet(StringComparer.Ordinal);
        long lost = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, leads),
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var lead = await ledger.FindAsync(leadIds[i], token);
                if (lead is null || (i % 2 == 0 ? lead.Status != LeadStatus.Sal : lead.Status != LeadStatus.New))
                {
                    Interlocked.Increment(ref lost);
                }
            });

        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        long strays = 0;
        switch (fake)
        {
            case FakeHubSpot hubSpot:
                foreach (var contact in hubSpot.Contacts())
                {
                    var id = contact["smarketing_lead_id"]?.ToString() ?? string.Empty;
                    held[id] = held.GetValueOrDefault(id) + 1;
                }

                break;
            case FakeSalesforce salesforce:
                // Records are held by external id, so two for one lead would be two external ids: count the strays.
                foreach (var id in mqlIds.Where(id => salesforce.Lead(id) is not null))
                {
                    held[id] = 1;
                }

                strays = salesforce.RecordCount - held.Count;
                break;
            default:
                throw new ArgumentException("No check for this CRM.", nameof(fake));
        }

        lost += mqlIds.Count(id => !held.ContainsKey(id));
        var duplicates = strays + held.Sum(h => mqlIds.Contains(h.Key) ? h.Value - 1 : h.Value);
        return (lost, duplicates, mqlIds.Count);
    }

    // The same number of ledger writes as the app made, done directly on the same Azurite as upserts of a ledger row's size,
    // with the same number in flight.
    private static async Task<TimeSpan> StorageFloorAsync(string connectionString, StorageLayout layout, long writes, int concurrency, CancellationToken cancellationToken)
    {
        TableEntity? sample = null;
        await foreach (var row in layout.LeadLedger.QueryAsync<TableEntity>(e => e.RowKey == "ledger" && e.PartitionKey != string.Empty, maxPerPage: 1, cancellationToken: cancellationToken))
        {
            sample = row;
            break;
        }

        var table = new TableServiceClient(connectionString).GetTableClient("BenchFloor");
        await table.CreateIfNotExistsAsync(cancellationToken);
        var next = -1L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(
            async () =>
            {
                long i;
                while ((i = Interlocked.Increment(ref next)) < writes)
                {
                    var entity = new TableEntity($"floor-{i % (writes / 2 + 1)}", "ledger");
                    foreach (var (key, value) in sample ?? [])
                    {
                        if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
                        {
                            entity[key] = value;
                        }
                    }

                    await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
                }
            },
            cancellationToken)));
        return clock.Elapsed;
    }

    private static (TimeSpan Floor, string Explanation) CrmFloor(IServiceProvider services, string crm, int mqls)
    {
        var budget = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Handoff.Batch.CrmBudgetOptions>>().Value;
        if (crm == HubSpot)
        {
            var batches = (mqls + FakeHubSpot.BatchLimit - 1) / FakeHubSpot.BatchLimit;
            var perWindow = Math.Floor(budget.HubSpot.Requests * budget.ImportShare);
            return (budget.HubSpot.Window * (batches / perWindow), string.Create(CultureInfo.InvariantCulture, $"{batches} batches ÷ ({budget.HubSpot.Requests} × {budget.ImportShare:0.##} per {budget.HubSpot.Window.TotalSeconds:0} s)"));
        }

        var collections = (mqls + FakeSalesforce.CollectionsLimit - 1) / FakeSalesforce.CollectionsLimit;
        return budget.Salesforce.Requests > 0
            ? (budget.Salesforce.Window * (collections / Math.Floor(budget.Salesforce.Requests * budget.ImportShare)), $"{collections} collections ÷ the short-window rate")
            : (TimeSpan.Zero, $"{collections} collections, within the day's share; no short-window rate");
    }
}

/// <summary>The figures of one run of <see cref="ImportBenchmark"/>.</summary>
public sealed record ImportBenchResult(
    string Crm,
    int Leads,
    int Mqls,
    TimeSpan AllAccepted,
    TimeSpan AllHandedOff,
    long CrmCalls,
    long RateLimited,
    long StorageRoundTrips,
    long LedgerWrites,
    long Lost,
    long Duplicates,
    TimeSpan StorageFloor,
    TimeSpan CrmFloor,
    string CrmFloorExplanation,
    int FailedInvocations,
    int? MaxRequestsInWindow)
{
    public const double TimeTarget = 1.5;
    public const double CallsTarget = 6;

    public double CrmCallsPer1000 => CrmCalls * 1000.0 / Leads;

    public double RoundTripsPerLead => (double)StorageRoundTrips / Leads;

    public TimeSpan LargerFloor => StorageFloor > CrmFloor ? StorageFloor : CrmFloor;

    public double FloorRatio => AllHandedOff / LargerFloor;

    /// <summary>The figures as a Markdown table.</summary>
    public string Table()
    {
        static string S(TimeSpan t) => t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
        var rows = new (string Name, string Value, string Target)[]
        {
            ("leads (MQLs)", $"{Leads:N0} ({Mqls:N0})", string.Empty),
            ("wall time to all accepted", S(AllAccepted), string.Empty),
            ("wall time to all handed off", S(AllHandedOff), $"≤ {TimeTarget:0.0} × larger floor = {S(LargerFloor * TimeTarget)}"),
            ("storage floor", $"{S(StorageFloor)} ({LedgerWrites:N0} ledger-row upserts, same parallelism)", string.Empty),
            ("CRM floor", $"{S(CrmFloor)} ({CrmFloorExplanation})", string.Empty),
            ("total ÷ larger floor", $"{FloorRatio:F2}×", $"≤ {TimeTarget:0.0}× {(FloorRatio <= TimeTarget ? "met" : "MISSED")}"),
            ("CRM calls", $"{CrmCalls:N0}", string.Empty),
            ("CRM calls per 1,000 leads", $"{CrmCallsPer1000:F2}", $"≤ {CallsTarget:0} {(CrmCallsPer1000 <= CallsTarget ? "met" : "MISSED")}"),
            ("429s received", $"{RateLimited:N0}{(MaxRequestsInWindow is { } max ? $" (most requests in one 10 s window: {max})" : string.Empty)}", "0"),
            ("storage round trips per lead", $"{RoundTripsPerLead:F2} ({StorageRoundTrips:N0})", string.Empty),
            ("failed invocations (retried)", $"{FailedInvocations:N0}", string.Empty),
            ("lost", $"{Lost:N0}", $"0 {(Lost == 0 ? "met" : "MISSED")}"),
            ("duplicates", $"{Duplicates:N0}", $"0 {(Duplicates == 0 ? "met" : "MISSED")}"),
        };
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"| {Crm} | figure | target |\n|---|---|---|\n");
        foreach (var (name, value, target) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {value} | {target} |\n");
        }

        return text.ToString();
    }
}

/// <summary>
/// Counts every HTTP request the app's storage clients send (retries included), and the writes to the ledger table, except
/// inside <see cref="Pause"/> (the benchmark's own progress reads).
/// </summary>
internal sealed class StorageRequestCounter : HttpPipelinePolicy
{
    private static readonly AsyncLocal<bool> Paused = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _byResource = new(StringComparer.Ordinal);
    private long _count;
    private long _ledgerWrites;

    /// <summary>The requests by table, queue or container, and method.</summary>
    public IReadOnlyDictionary<string, long> ByResource => _byResource;

    public long Count => Interlocked.Read(ref _count);

    public long LedgerWrites => Interlocked.Read(ref _ledgerWrites);

    public void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _ledgerWrites, 0);
        _byResource.Clear();
    }

    public static IDisposable Pause() => new PauseScope();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Tally(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Tally(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Tally(HttpMessage message)
    {
        if (Paused.Value)
        {
            return;
        }

        Interlocked.Increment(ref _count);
        var segments = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resource = segments.Length > 1 ? segments[1].Split('(')[0] : "?";
        _byResource.AddOrUpdate($"{resource} {message.Request.Method}", 1, (_, n) => n + 1);
        if (message.Request.Method != RequestMethod.Get && message.Request.Uri.Path.Contains("/" + StorageLayout.LeadLedgerTable, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _ledgerWrites);
        }
    }

    private sealed class PauseScope : IDisposable
    {
        public PauseScope() => Paused.Value = true;

        public void Dispose() => Paused.Value = false;
    }
}
