using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Smarketing.Functions;
using Smarketing.Functions.Http;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// The whole story of one person, with every log the app and its SDK clients write captured at Trace: two leads
/// arrive over HTTP with the function key in <c>?code=</c> (one without an id, so its id comes from the address), both
/// are handed off to a real HTTP HubSpot fake, sales disqualifies one with a note naming the person, an operator
/// reads the lead, the summary and the export, and erases the person. No log line (its text, its structured values or
/// its exception) may hold the e-mail address, the phone number, any key or secret, or a <c>code=</c>/<c>token=</c>
/// query parameter.
/// </summary>
public sealed partial class LogCaptureTests
{
    private const string Email = "ilse.voss.logcapture@example.org";
    private const string Phone = "+49 30 9018 2277";
    private const string OtherEmail = "piet.maas.logcapture@example.org";
    private const string OtherPhone = "+31 20 555 0142";

    [Fact]
    public async Task IntakeHandoffFeedbackExportErasure_NoContactDataSecretOrQueryKeyInAnyLogLine()
    {
        await using var crm = await FakeHubSpot.StartNewAsync();
        await using var account = await Azurite.LeaseAccountAsync();
        var logs = new CapturedLogs();
        var settings = new Dictionary<string, string?>(TestApp.DefaultSettings)
        {
            [StorageOptions.ConnectionSetting] = account.ConnectionString,
        };
        foreach (var (key, value) in CrmTestSettings.For(crm))
        {
            settings[key] = value;
        }

        await using var web = await WorkerWebApp.StartAsync(settings, logs);
        using var http = new HttpClient { BaseAddress = new Uri(web.Urls.First()) };
        var code = "?code=" + LocalFunctionsServer.FunctionKey;

        // Intake: one lead with an id, one identified only by its address.
        var withId = Lead("lead-logcapture-1", Email, Phone);
        var withoutId = Lead(null, OtherEmail, OtherPhone);
        using (var first = await http.SendAsync(WorkerWebApp.SignedRequest(HttpMethod.Post, "/api/leads" + code, withId.ToJsonString(), TestApp.GenericSecret)))
        using (var second = await http.SendAsync(WorkerWebApp.SignedRequest(HttpMethod.Post, "/api/leads" + code, withoutId.ToJsonString(), TestApp.GenericSecret)))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        }

        // Handoff through the host's queue listener to the HubSpot fake.
        var layout = web.Services.GetRequiredService<StorageLayout>();
        var handoff = new QueueTriggerHost(layout.Handoff, layout.HandoffPoison, HostQueueSettings.FromHostJson(), (m, ct) => ActivatorUtilities.CreateInstance<HandOffMql>(web.Services).Run(m, ct));
        await handoff.RunUntilEmptyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, crm.RecordCount);

        // Feedback: sales disqualifies the first lead with a note naming the person.
        var feedback = new JsonObject
        {
            ["leadId"] = "lead-logcapture-1",
            ["status"] = "DISQUALIFIED",
            ["reasonCode"] = "NOT_A_FIT",
            ["note"] = $"Called {Phone}, wrote to {Email}: no budget",
        };
        using (var recorded = await http.SendAsync(WorkerWebApp.SignedRequest(HttpMethod.Post, "/api/crm/feedback" + code, feedback.ToJsonString(), TestApp.FeedbackSecret)))
        {
            Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        }

        // The operator's reads, then the erasure (master key and admin key).
        foreach (var path in new[] { "/api/leads/lead-logcapture-1", "/api/leads/lead-logcapture-1/history", "/api/feedback/summary", "/api/feedback/export", "/api/handoffs/status", "/api/handoffs/poison" })
        {
            var key = path.Contains("poison", StringComparison.Ordinal) ? LocalFunctionsServer.MasterKey : LocalFunctionsServer.FunctionKey;
            using var read = await http.SendAsync(Admin(HttpMethod.Get, path + "?code=" + key));
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var erased = await http.SendAsync(Admin(HttpMethod.Delete, "/api/leads/lead-logcapture-1?code=" + LocalFunctionsServer.MasterKey)))
        {
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        }

        using var byAddress = Admin(HttpMethod.Post, "/api/erasures?code=" + LocalFunctionsServer.MasterKey);
        byAddress.Content = new StringContent(new JsonObject { ["email"] = OtherEmail }.ToJsonString(), Encoding.UTF8, "application/json");
        using (var erasedByAddress = await http.SendAsync(byAddress))
        {
            Assert.Equal(HttpStatusCode.OK, erasedByAddress.StatusCode);
        }

        await web.StopAsync();

        // The story was logged (the app's own categories and the SDK clients' both wrote), and nothing in it leaks.
        var lines = logs.Lines;
        Assert.Contains(lines, l => l.Category.StartsWith("Smarketing", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
        var forbidden = new[]
        {
            Email, OtherEmail, Phone, OtherPhone, "9018 2277", "555 0142",
            LocalFunctionsServer.FunctionKey, LocalFunctionsServer.MasterKey, TestApp.AdminKey,
            TestApp.GenericSecret, TestApp.GenericSecret["whsec_".Length..], TestApp.FeedbackSecret, TestApp.FeedbackSecret["whsec_".Length..],
            TestApp.LeadIdKey, FakeHubSpot.AccessToken,
        };
        var leaks = lines
            .Where(l => forbidden.Any(f => l.Text.Contains(f, StringComparison.OrdinalIgnoreCase)) || QueryKey().IsMatch(l.Text))
            .Select(l => $"{l.Category}: {l.Text}")
            .ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} of {lines.Count} log lines leak:\n" + string.Join("\n", leaks.Take(20)));
    }

    [GeneratedRegex(@"\b(code|token)=", RegexOptions.IgnoreCase)]
    private static partial Regex QueryKey();

    private static JsonObject Lead(string? id, string email, string phone)
    {
        var lead = Smarketing.Tests.Pipeline.Leads.Article(id ?? "unused");
        if (id is null)
        {
            lead.Remove("id");
        }

        lead["email"] = email;
        lead["phone"] = phone;
        return lead;
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add(AdminOptions.KeyHeader, TestApp.AdminKey);
        return request;
    }

    private sealed record CapturedLine(string Category, LogLevel Level, string Text);

    /// <summary>
    /// Every log entry as a telemetry exporter would see it: the formatted message, every structured value (which
    /// exporters send as attributes even when the message template does not show them), scopes, and the exception.
    /// </summary>
    private sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<CapturedLine> _lines = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IReadOnlyList<CapturedLine> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => sink._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = new StringBuilder(formatter(state, exception));
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var (key, value) in values)
                    {
                        text.Append(" | ").Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                    }
                }

                sink._scopes.ForEachScope((scope, builder) => builder.Append(" | scope ").Append(Convert.ToString(scope, CultureInfo.InvariantCulture)), text);
                if (exception is not null)
                {
                    text.Append(" | ").Append(exception);
                }

                sink._lines.Enqueue(new CapturedLine(category, logLevel, text.ToString()));
            }
        }
    }
}
