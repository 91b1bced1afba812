using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff;
using Smarketing.Tests.Infrastructure;

namespace Smarketing.Tests.Crm;

/// <summary>Settings shared by the CRM tests.</summary>
internal static class CrmTestSettings
{
    /// <summary>
    /// The production pipeline with shorter waits, so a test of five deliveries takes seconds. Retry-After is
    /// still honoured up to 5 s, and the circuit breaker needs more calls than a test makes unless it says so.
    /// </summary>
    public static Dictionary<string, string?> FastResilience() => new()
    {
        ["Crm:Resilience:TotalTimeout"] = "00:00:20",
        ["Crm:Resilience:AttemptTimeout"] = "00:00:05",
        ["Crm:Resilience:MaxRetries"] = "3",
        ["Crm:Resilience:BaseDelay"] = "00:00:00.020",
        ["Crm:Resilience:MaxDelay"] = "00:00:00.100",
        ["Crm:Resilience:MaxRetryAfter"] = "00:00:05",
        ["Crm:Resilience:MinimumThroughput"] = "1000",
    };

    public static Dictionary<string, string?> For(ICrmRecords crm, IDictionary<string, string?>? extra = null)
    {
        var settings = FastResilience();
        foreach (var (key, value) in crm.Settings())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>The CRM layer alone, from the app's own composition root, for client-level tests with no storage.</summary>
internal sealed class CrmTestHost : IDisposable
{
    private readonly IHost _host;

    private CrmTestHost(IHost host, LogSink logs)
    {
        _host = host;
        Logs = logs;
    }

    public LogSink Logs { get; }

    public IServiceProvider Services => _host.Services;

    public static CrmTestHost Create(IDictionary<string, string?> settings, Action<IHostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        var values = new Dictionary<string, string?>(TestApp.DefaultSettings);
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        var logs = new LogSink();
        builder.Logging.AddProvider(logs);
        builder.AddCrm();
        configure?.Invoke(builder);
        return new CrmTestHost(builder.Build(), logs);
    }

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>Runs the start-up validation the host runs (every ValidateOnStart), as the app's start would.</summary>
    public void ValidateOnStart() => Get<IStartupValidator>().Validate();

    public void Dispose() => _host.Dispose();
}

/// <summary>Every log line the app writes, formatted, to check what reached the logs (and what did not).</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._entries.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
    }
}
