using Smarketing.Smoke;

// Usage: Smarketing.Smoke <base-url> [function-key] [handoff-timeout-seconds]
// The key: none locally (`func start` checks no keys); in Azure a host key (the smoke test calls several functions, and a
// named function key opens only its own). The master key is not needed: the smoke test calls only function-level
// endpoints. It may also come from SMARKETING_FUNCTION_KEY. SMARKETING_ADMIN_KEY (one of Admin__Keys) lets it read the
// lead back, as a deployed app requires of its read APIs.
// SMARKETING_WEBHOOK_SECRET (whsec_..., one of Intake__Generic__Secrets) signs the lead webhooks, as a deployed app
// requires; SMARKETING_FEEDBACK_SECRET (one of Feedback__Generic__Secrets) signs the CRM feedback. Locally the sample
// settings accept both unsigned.
//   e.g. dotnet run --project tools/Smarketing.Smoke -- http://localhost:7071
//        SMARKETING_WEBHOOK_SECRET=whsec_... dotnet run --project tools/Smarketing.Smoke -- https://my-app.azurewebsites.net "$FUNCTION_KEY"
if (args.Length < 1 || !Uri.TryCreate(args[0].TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl))
{
    Console.Error.WriteLine("""
        usage: Smarketing.Smoke <base-url> [function-key] [handoff-timeout-seconds]
          base-url                 http://localhost:7071 locally, https://<app>.azurewebsites.net in Azure
          function-key             none locally (func start checks no keys); in Azure a host key, which opens
                                   every function (az functionapp keys list -n <app> -g <rg> --query functionKeys.default -o tsv);
                                   the master key is not needed; or set SMARKETING_FUNCTION_KEY
          handoff-timeout-seconds  how long to wait for the CRM handoff (default 60)
        environment:
          SMARKETING_WEBHOOK_SECRET  a whsec_... secret from Intake__Generic__Secrets: signs the lead webhooks,
                                     as a deployed app requires (not needed locally)
          SMARKETING_FEEDBACK_SECRET a whsec_... secret from Feedback__Generic__Secrets: signs the CRM feedback
          SMARKETING_ADMIN_KEY       a key from Admin__Keys: reads the lead back (not needed locally)
        """);
    return 2;
}

var key = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable("SMARKETING_FUNCTION_KEY");
var timeout = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 60);
using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
if (!string.IsNullOrEmpty(key))
{
    http.DefaultRequestHeaders.Add("x-functions-key", key);
}

var adminKey = Environment.GetEnvironmentVariable("SMARKETING_ADMIN_KEY");
if (!string.IsNullOrEmpty(adminKey))
{
    http.DefaultRequestHeaders.Add("X-Smarketing-Admin-Key", adminKey);
}

Console.WriteLine($"Smoke test of {baseUrl}");
var secret = Environment.GetEnvironmentVariable("SMARKETING_WEBHOOK_SECRET");
var feedbackSecret = Environment.GetEnvironmentVariable("SMARKETING_FEEDBACK_SECRET");
var passed = await new SmokeRunner(http, Console.Out, timeout, string.IsNullOrEmpty(secret) ? null : secret, string.IsNullOrEmpty(feedbackSecret) ? null : feedbackSecret)
    .RunAsync(CancellationToken.None);
return passed ? 0 : 1;
