using System.Net;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Smarketing.Core.Handoff;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>The CRM resilience pipeline alone, on a fake clock.</summary>
public sealed class CrmResilienceTests
{
    private static ResiliencePipeline<HttpResponseMessage> CreateSut(FakeTimeProvider time, CrmResilienceOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        CrmResilience.Configure(builder, options);
        return builder.Build();
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage(status);
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
        }

        return response;
    }

    [Fact]
    public async Task CircuitBreaker_FailureRatioReached_FailsFastThenLetsOneThroughAfterBreakDuration()
    {
        var time = new FakeTimeProvider();
        var sut = CreateSut(time, new CrmResilienceOptions
        {
            MaxRetries = 0,
            MinimumThroughput = 4,
            FailureRatio = 0.5,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(15),
        });
        var calls = 0;
        var status = HttpStatusCode.ServiceUnavailable;

        for (var i = 0; i < 4; i++)
        {
            using var failed = await sut.ExecuteAsync(_ => { calls++; return ValueTask.FromResult(Answer(status)); });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await sut.ExecuteAsync(_ => { calls++; return ValueTask.FromResult(Answer(status)); }));
        Assert.Equal(4, calls);

        time.Advance(TimeSpan.FromSeconds(15));
        status = HttpStatusCode.OK;
        using var recovered = await sut.ExecuteAsync(_ => { calls++; return ValueTask.FromResult(Answer(status)); });

        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(5, calls);
    }

    [Fact]
    public async Task CircuitBreaker_RefusalsDoNotOpenIt()
    {
        var sut = CreateSut(new FakeTimeProvider(), new CrmResilienceOptions { MaxRetries = 0, MinimumThroughput = 2, FailureRatio = 0.5 });

        for (var i = 0; i < 10; i++)
        {
            using var refused = await sut.ExecuteAsync(_ => ValueTask.FromResult(Answer(HttpStatusCode.BadRequest)));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }
    }

    [Theory]
    [InlineData(503, null, true)]
    [InlineData(500, null, true)]
    [InlineData(408, null, true)]
    [InlineData(429, 2, true)]
    [InlineData(429, 20, true)]
    [InlineData(429, 21, false)]
    [InlineData(503, 3600, false)]
    [InlineData(400, null, false)]
    [InlineData(401, null, false)]
    [InlineData(403, null, false)]
    [InlineData(404, null, false)]
    public void ShouldRetry_StatusAndRetryAfter_RetriedOnlyWhenTransientAndTheWaitFits(int status, int? retryAfterSeconds, bool expected)
    {
        using var response = Answer((HttpStatusCode)status, retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

        Assert.Equal(expected, CrmResilience.ShouldRetry(Outcome.FromResult(response), TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void ShouldRetry_ConnectionFailure_Retried()
    {
        Assert.True(CrmResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("connection refused")), TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void Defaults_WorstCaseOfOneInvocation_StaysInsideTotalTimeoutAndFunctionTimeout()
    {
        var options = new CrmResilienceOptions();

        // Every attempt times out and every backoff is at its cap: still bounded by TotalTimeout.
        var attempts = (options.MaxRetries + 1) * options.AttemptTimeout;
        var waits = options.MaxRetries * options.MaxDelay;
        Assert.True(options.TotalTimeout <= CrmOptionsValidator.MaxTotalTimeout);
        Assert.True(options.MaxRetryAfter < options.TotalTimeout);
        Assert.True(attempts + waits <= TimeSpan.FromMinutes(5), $"{attempts + waits} worst case");
    }
}
