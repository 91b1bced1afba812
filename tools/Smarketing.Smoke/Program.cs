using Smarketing.Smoke;

// Usage: Smarketing.Smoke <base-url> [function-key] [handoff-timeout-seconds]
// SMARKETING_WEBHOOK_SECRET (whsec_...) signs the lead webhooks when the generic source requires signatures.
//   e.g. dotnet run --project tools/Smarketing.Smoke -- http://localhost:7071
//        dotnet run --project tools/Smarketing.Smoke -- https://my-app.azurewebsites.net "$FUNCTION_KEY"
if (args.Length < 1 || !Uri.TryCreate(args[0].TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl))
{
    Console.Error.WriteLine("usage: Smarketing.Smoke <base-url> [function-key] [handoff-timeout-seconds]");
    return 2;
}

var key = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable("SMARKETING_FUNCTION_KEY");
var timeout = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 60);
using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
if (!string.IsNullOrEmpty(key))
{
    http.DefaultRequestHeaders.Add("x-functions-key", key);
}

Console.WriteLine($"Smoke test of {baseUrl}");
var secret = Environment.GetEnvironmentVariable("SMARKETING_WEBHOOK_SECRET");
var passed = await new SmokeRunner(http, Console.Out, timeout, string.IsNullOrEmpty(secret) ? null : secret).RunAsync(CancellationToken.None);
return passed ? 0 : 1;
