using System.Globalization;
using Smarketing.Tests.Imports;

// The bulk import benchmark: N generated leads through the real import functions against the fake CRMs on Azurite.
// Usage: Smarketing.ImportBench <connection-string> [--leads N] [--crm hubspot|salesforce|both] [--concurrency 16] [--setting Key=Value]...
// Exits 1 when a lead was lost or doubled.
if (args.Length < 1)
{
    Console.Error.WriteLine("Usage: Smarketing.ImportBench <connection-string> [--leads 100000] [--crm hubspot|salesforce|both] [--concurrency 16] [--setting Key=Value]...");
    return 2;
}

var connection = args[0];
string Option(string name, string fallback) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
var leads = int.Parse(Option("--leads", "100000"), CultureInfo.InvariantCulture);
var crm = Option("--crm", "both");
var concurrency = int.Parse(Option("--concurrency", "16"), CultureInfo.InvariantCulture);
// --setting Key=Value (repeatable): an app setting on top of the defaults, to try a tuning against the same figures.
var settings = args.Select((a, i) => (a, i)).Where(p => p.a == "--setting" && p.i + 1 < args.Length)
    .Select(p => args[p.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)kv.ElementAtOrDefault(1));
var crms = crm == "both" ? [ImportBenchmark.HubSpot, ImportBenchmark.Salesforce] : new[] { crm };

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Smarketing bulk import benchmark, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}"));
var failed = false;
foreach (var name in crms)
{
    var result = await ImportBenchmark.RunAsync(name, leads, connection, concurrency, Console.Out, settings);
    foreach (var (key, value) in settings)
    {
        Console.WriteLine($"setting {key}={value}");
    }

    Console.WriteLine();
    Console.WriteLine(result.Table());
    failed |= result.Lost != 0 || result.Duplicates != 0;
}

return failed ? 1 : 0;
