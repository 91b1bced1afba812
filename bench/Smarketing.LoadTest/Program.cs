using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smarketing.Core.Intake.Generic;
using Smarketing.Functions;
using Smarketing.Functions.Composition;


// Load test of the lead intake: signed leads through the real ScoreLead (built from the app's composition
// root) against Azurite on 127.0.0.1, next to the bare SDK calls the intake makes per lead. Then the handoff:
// MQLs through the real HandOffMql on one app instance and on two (each its own composition root, caches
// included), 16 handoffs at once per instance as the host's batchSize runs them.
// Usage: Smarketing.LoadTest <table-port> <queue-port> [leads-per-phase] [concurrency] [phases: all|intake|handoff] [handoff-leads] [cursor-shards]
var tablePort = int.Parse(args[0], CultureInfo.InvariantCulture);
var queuePort = int.Parse(args[1], CultureInfo.InvariantCulture);
var leads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4000;
var concurrency = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 16;
var phases = args.Length > 4 ? args[4] : "all";
var handoffLeads = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 2000;
var cursorShards = args.Length > 6 ? args[6] : null;
const string Account = "devstoreaccount1";
const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
var connection = $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};" +
                 $"TableEndpoint=http://127.0.0.1:{tablePort}/{Account};QueueEndpoint=http://127.0.0.1:{queuePort}/{Account};";

var counter = new RoundTripCounter();
using var host = await StartInstanceAsync(counter);
var function = ActivatorUtilities.CreateInstance<ScoreLead>(host.Services);
StandardWebhooks.TryDecodeSecret(Secret, out var key);

if (phases is "all" or "intake")
{
    await RunIntakeRoundsAsync();
}

if (phases is "all" or "handoff")
{
    await RunHandoffPhasesAsync();
}

await host.StopAsync();
return 0;

async Task<IHost> StartInstanceAsync(RoundTripCounter roundTrips)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    var settings = new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = connection,
        ["Routing:Reps"] = "rep-a,rep-b,rep-c",
        ["Intake:Generic:Secrets"] = Secret,
        ["Intake:LeadIdKey"] = "load_lid_7Hq2Vx9Lm4Rt8Nw3Kc6Zb1Fy5Gd0Pj",
    };
    if (cursorShards is not null)
    {
        settings["Routing:CursorShards"] = cursorShards;
    }

    builder.Configuration.AddInMemoryCollection(settings);
    builder.AddSmarketing();
    builder.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(roundTrips, HttpPipelinePosition.PerRetry));
    builder.Services.ConfigureAll<QueueClientOptions>(o => o.AddPolicy(roundTrips, HttpPipelinePosition.PerRetry));
    var instance = builder.Build();
    await instance.StartAsync();
    return instance;
}

async Task RunIntakeRoundsAsync()
{
    Console.WriteLine($"Smarketing intake load test: {leads} leads per phase, concurrency {concurrency}, Azurite on 127.0.0.1:{tablePort}/{queuePort}");
    Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, {RuntimeInformationText()}");

    // Warm up connections, JIT and Azurite.
    await RunIntakeAsync("warmup", 300, mql: true, print: false);

    // Floor and intake alternate over several rounds, so neither benefits from running later (a warmer
    // Azurite) or suffers from it (a fuller queue); each path reports its median round.
    const int Rounds = 3;
    var results = new Dictionary<string, List<PhaseResult>>();
    for (var round = 1; round <= Rounds; round++)
    {
        Console.WriteLine($"round {round} of {Rounds}");
        foreach (var phase in new Func<Task<PhaseResult>>[]
                 {
                     () => RunFloorAsync("floor non-MQL (get + insert)", leads, enqueue: false),
                     () => RunIntakeAsync("intake non-MQL", leads, mql: false, print: true),
                     () => RunFloorAsync("floor MQL (get + insert + enqueue)", leads, enqueue: true),
                     () => RunIntakeAsync("intake MQL", leads, mql: true, print: true),
                 })
        {
            var result = await phase();
            (results.TryGetValue(result.Name, out var list) ? list : results[result.Name] = []).Add(result);
        }
    }

    PhaseResult Median(string name) => results[name].OrderBy(r => r.Throughput).ElementAt(Rounds / 2);
    var floorMql = Median("floor MQL (get + insert + enqueue)");
    var floorNew = Median("floor non-MQL (get + insert)");
    var intakeMql = Median("intake MQL");
    var intakeNew = Median("intake non-MQL");

    Console.WriteLine();
    Console.WriteLine($"Median of {Rounds} rounds:");
    Console.WriteLine("| path | leads/s | p50 ms | p99 ms | storage round trips per lead | share of floor |");
    Console.WriteLine("|---|---|---|---|---|---|");
    Row(floorMql, null);
    Row(floorNew, null);
    Row(intakeMql, floorMql);
    Row(intakeNew, floorNew);
}

// MQLs posted through the intake (not measured), then handed off by 1 or 2 instances with `concurrency` handoffs
// each at once. Receiving and deleting messages stands in for the host and is not counted; every storage request
// of the app's own clients is, and so is every 412 (a conditional write that lost to another writer).
async Task RunHandoffPhasesAsync()
{
    Console.WriteLine($"Smarketing handoff load test: {handoffLeads} MQLs per phase, {concurrency} concurrent handoffs per instance, 3 reps, Routing:CursorShards {cursorShards ?? "default"}, Azurite on 127.0.0.1:{tablePort}/{queuePort}");
    Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
    Console.WriteLine("| instances | handoffs/s | p50 ms | p99 ms | storage round trips per handoff | cursor round trips per handoff | 412s per handoff | failed handoffs | max − min leads per rep |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
    var queue = new QueueServiceClient(connection, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient("mql-handoff");
    var crm = new TableServiceClient(connection).GetTableClient(Smarketing.Functions.Storage.StorageLayout.SandboxCrmTable);
    foreach (var instances in new[] { 1, 2, 1, 2 })
    {
        await queue.ClearMessagesAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        await MeasureAsync("handoff intake", handoffLeads, async i =>
        {
            var body = Encoding.UTF8.GetBytes(Lead($"handoff-{run}-{i}", mql: true));
            if (await PostAsync(body, $"msg_{run}_{i}") != 202)
            {
                throw new InvalidOperationException($"lead {i} was not accepted");
            }
        });

        var roundTrips = new RoundTripCounter();
        var hosts = new List<IHost>();
        for (var n = 0; n < instances; n++)
        {
            hosts.Add(await StartInstanceAsync(roundTrips));
        }

        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var done = 0;
        var failed = 0;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(hosts.Select(h => Task.Run(async () =>
        {
            var handoff = ActivatorUtilities.CreateInstance<HandOffMql>(h.Services);
            while (Volatile.Read(ref done) < handoffLeads)
            {
                var batch = (await queue.ReceiveMessagesAsync(concurrency, TimeSpan.FromMinutes(5))).Value;
                if (batch.Length == 0)
                {
                    await Task.Delay(20);
                    continue;
                }

                await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (message, ct) =>
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await handoff.Run(message, ct);
                    }
#pragma warning disable CA1031 // The host's stand-in: a failed handoff goes back to the queue for another try.
                    catch (Exception)
#pragma warning restore CA1031
                    {
                        Interlocked.Increment(ref failed);
                        await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);
                        return;
                    }

                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                    Interlocked.Increment(ref done);
                });
            }
        })));
        total.Stop();
        var owners = new Dictionary<string, int>();
        await foreach (var row in crm.QueryAsync<TableEntity>(select: ["ExternalId", "OwnerId"]))
        {
            if (row.GetString("ExternalId")?.StartsWith($"handoff-{run}-", StringComparison.Ordinal) == true)
            {
                var owner = row.GetString("OwnerId") ?? "?";
                owners[owner] = owners.GetValueOrDefault(owner) + 1;
            }
        }

        var sorted = latencies.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {instances} | {handoffLeads / total.Elapsed.TotalSeconds:F0} | {Percentile(sorted, 0.50):F2} | {Percentile(sorted, 0.99):F2} | {(double)roundTrips.Count / handoffLeads:F2} | {(double)roundTrips.CursorCount / handoffLeads:F2} | {(double)roundTrips.Conflicts / handoffLeads:F3} | {failed} | {(owners.Count == 0 ? "?" : (owners.Values.Max() - owners.Values.Min()).ToString(CultureInfo.InvariantCulture))} ({string.Join(" ", owners.OrderBy(o => o.Key).Select(o => o.Value))}) |"));
        foreach (var h in hosts)
        {
            await h.StopAsync();
            h.Dispose();
        }
    }
}

static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.OSDescription;

static void Row(PhaseResult r, PhaseResult? floor) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Name} | {r.Throughput:F0} | {r.P50:F2} | {r.P99:F2} | {r.RoundTripsPerLead:F2} | {(floor is null ? "—" : $"{r.Throughput / floor.Throughput:P0}")} |"));

async Task<PhaseResult> RunIntakeAsync(string name, int count, bool mql, bool print)
{
    var run = Guid.NewGuid().ToString("N")[..8];
    var bodies = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(Lead($"load-{run}-{i}", mql))).ToArray();
    counter.Reset();
    var result = await MeasureAsync(name, count, async i =>
    {
        var status = await PostAsync(bodies[i], $"msg_{run}_{i}");
        if (status != 202)
        {
            throw new InvalidOperationException($"lead {i} answered {status}");
        }
    });
    result = result with { RoundTripsPerLead = (double)counter.Count / count };
    if (print)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {result.Throughput:F0} leads/s, p50 {result.P50:F2} ms, p99 {result.P99:F2} ms, {result.RoundTripsPerLead:F2} storage round trips per lead"));
    }

    return result;
}

async Task<PhaseResult> RunFloorAsync(string name, int count, bool enqueue)
{
    var table = new TableServiceClient(connection).GetTableClient("LoadFloor");
    await table.CreateIfNotExistsAsync();
    var queue = new QueueServiceClient(connection, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient("load-floor");
    await queue.CreateIfNotExistsAsync();
    var run = Guid.NewGuid().ToString("N")[..8];
    var history = new string('h', 700);
    var message = new string('m', 600);
    var result = await MeasureAsync(name, count, async i =>
    {
        var pk = $"floor-{run}-{i}";
        await table.GetEntityIfExistsAsync<TableEntity>(pk, "ledger");
        await table.AddEntityAsync(new TableEntity(pk, "ledger") { ["Status"] = "MQL", ["History"] = history, ["Explanation"] = history, ["Score"] = 80 });
        if (enqueue)
        {
            await queue.SendMessageAsync(message);
        }
    });
    var perLead = enqueue ? 3 : 2;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {result.Throughput:F0} leads/s, p50 {result.P50:F2} ms, p99 {result.P99:F2} ms"));
    return result with { RoundTripsPerLead = perLead };
}

async Task<PhaseResult> MeasureAsync(string name, int count, Func<int, Task> work)
{
    var latencies = new double[count];
    var next = -1;
    var total = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var started = Stopwatch.GetTimestamp();
            await work(i);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    })).ToList();
    await Task.WhenAll(workers);
    total.Stop();
    Array.Sort(latencies);
    return new PhaseResult(name, count / total.Elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), 0);
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

async Task<int> PostAsync(byte[] body, string id)
{
    var context = new DefaultHttpContext();
    context.Request.Method = "POST";
    context.Request.Scheme = "https";
    context.Request.Host = new HostString("load.example");
    context.Request.Path = "/api/leads";
    context.Request.ContentType = "application/json";
    context.Request.ContentLength = body.Length;
    context.Request.Body = new MemoryStream(body);
    var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    context.Request.Headers[StandardWebhooks.IdHeader] = id;
    context.Request.Headers[StandardWebhooks.TimestampHeader] = ts.ToString(CultureInfo.InvariantCulture);
    context.Request.Headers[StandardWebhooks.SignatureHeader] = StandardWebhooks.Sign(key, id, ts, body);
    context.Response.Body = new MemoryStream();
    var result = await function.Run(context.Request, null, CancellationToken.None);
    await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
    return context.Response.StatusCode;
}

static string Lead(string id, bool mql) => new JsonObject
{
    ["id"] = id,
    ["email"] = id + "@example.com",
    ["phone"] = "555-123-4567",
    ["industry"] = "SaaS",
    ["companySize"] = 250,
    ["campaign"] = "load-test",
    ["source"] = "load",
    ["actions"] = new JsonObject { ["viewedPricingPage"] = true, ["downloadedCaseStudy"] = true, ["contactedSupport"] = !mql },
}.ToJsonString();

internal sealed record PhaseResult(string Name, double Throughput, double P50, double P99, double RoundTripsPerLead);

/// <summary>
/// Counts every HTTP request the app's storage clients send (retries included), those to the owner-assignment
/// table, and the answers 412 (a conditional write that lost to another writer).
/// </summary>
internal sealed class RoundTripCounter : HttpPipelinePolicy
{
    private int _count;
    private int _cursorCount;
    private int _conflicts;

    public int Count => _count;

    public int CursorCount => _cursorCount;

    public int Conflicts => _conflicts;

    public void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _cursorCount, 0);
        Interlocked.Exchange(ref _conflicts, 0);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Before(message);
        ProcessNext(message, pipeline);
        After(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Before(message);
        await ProcessNextAsync(message, pipeline);
        After(message);
    }

    private void Before(HttpMessage message)
    {
        Interlocked.Increment(ref _count);
        if (message.Request.Uri.Path.Contains("/OwnerAssignment", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _cursorCount);
        }
    }

    private void After(HttpMessage message)
    {
        if (message.HasResponse && message.Response.Status == 412)
        {
            Interlocked.Increment(ref _conflicts);
        }
    }
}
