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
// root) against Azurite on 127.0.0.1, next to the bare SDK calls the intake makes per lead.
// Usage: Smarketing.LoadTest <table-port> <queue-port> [leads-per-phase] [concurrency]
var tablePort = int.Parse(args[0], CultureInfo.InvariantCulture);
var queuePort = int.Parse(args[1], CultureInfo.InvariantCulture);
var leads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4000;
var concurrency = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 16;
const string Account = "devstoreaccount1";
const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
var connection = $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};" +
                 $"TableEndpoint=http://127.0.0.1:{tablePort}/{Account};QueueEndpoint=http://127.0.0.1:{queuePort}/{Account};";

var counter = new RoundTripCounter();
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["AzureWebJobsStorage"] = connection,
    ["Routing:Reps"] = "rep-a,rep-b",
    ["Intake:Generic:Secrets"] = Secret,
});
builder.AddSmarketing();
builder.Services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(counter, HttpPipelinePosition.PerRetry));
builder.Services.ConfigureAll<QueueClientOptions>(o => o.AddPolicy(counter, HttpPipelinePosition.PerRetry));
using var host = builder.Build();
await host.StartAsync();
var function = ActivatorUtilities.CreateInstance<ScoreLead>(host.Services);
StandardWebhooks.TryDecodeSecret(Secret, out var key);

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
await host.StopAsync();
return 0;

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

/// <summary>Counts every HTTP request the app's storage clients send (retries included).</summary>
internal sealed class RoundTripCounter : HttpPipelinePolicy
{
    private int _count;

    public int Count => _count;

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref _count);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref _count);
        return ProcessNextAsync(message, pipeline);
    }
}
