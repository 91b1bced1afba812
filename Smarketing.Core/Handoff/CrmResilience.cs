using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Smarketing.Core.Handoff.Batch;

namespace Smarketing.Core.Handoff;

/// <summary>
/// The resilience pipeline of every CRM HttpClient, built once per client by the HttpClient factory:
/// total timeout → retry (exponential backoff with jitter, honouring <c>Retry-After</c>) → circuit breaker →
/// timeout per attempt. Non-GET requests are retried on purpose: every CRM write is an upsert by an external
/// id or e-mail address, so repeating one leaves one record.
/// </summary>
internal static class CrmResilience
{
    public const string PipelineName = "crm";

    // Timers may fire a moment before their due time; a CRM that said "after 2 s" must not see 1.999 s.
    internal static readonly TimeSpan RetryAfterMargin = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Registers a CRM's named HttpClient: one long-lived connection pool, no HttpClient timeout (the pipeline
    /// owns every timeout), then <paramref name="outerHandlers"/> (they see each call once, after its retries),
    /// then the resilience pipeline on the keyed <see cref="TimeProvider"/> <see cref="PipelineName"/>, then, closest to
    /// the wire, the request budget of <paramref name="budgetProvider"/> (<see cref="CrmBudgetHandler"/>: each attempt
    /// takes one request of it).
    /// </summary>
    public static IHttpClientBuilder AddCrmHttpClient(this IServiceCollection services, string name, Action<IHttpClientBuilder>? outerHandlers = null, string? budgetProvider = null)
    {
        var http = services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)

            // The CRM clients are singletons (they hold their HttpClient for good), so their handlers live as
            // long as the app: connections are recycled by the primary handler, which still sees DNS changes.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        outerHandlers?.Invoke(http);
        http.AddResilienceHandler(PipelineName, (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredKeyedService<TimeProvider>(PipelineName);
            Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<CrmOptions>>().Value.Resilience);
        });

        // Added after the pipeline, so inside it: handlers run in the order added, the last one next to the socket.
        if (budgetProvider is not null)
        {
            http.AddHttpMessageHandler(sp => new CrmBudgetHandler(
                budgetProvider,
                sp.GetRequiredService<ICrmRequestBudget>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<CrmBudgetHandler>>()));
        }

        return http;
    }

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, CrmResilienceOptions options)
    {
        builder.AddTimeout(options.TotalTimeout);
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldRetryAfterHeader = false,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result?.Headers.RetryAfter) is { } wait && wait > TimeSpan.Zero
                    ? wait + RetryAfterMargin
                    : (TimeSpan?)null),
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, options.MaxRetryAfter)),
            });
        }

        builder
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            })
            .AddTimeout(options.AttemptTimeout);
    }

    /// <summary>
    /// 5xx, 408, 429, connection failures and attempt timeouts are retried here, unless the CRM asks for a
    /// longer wait than an invocation may spend: then the queue's next delivery is the retry.
    /// </summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter) =>
        HttpClientResiliencePredicates.IsTransient(outcome)
        && !(RetryAfter(outcome.Result?.Headers.RetryAfter) > maxRetryAfter);

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) =>
        header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
}
