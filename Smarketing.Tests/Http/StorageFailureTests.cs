using Azure;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Leads;
using Smarketing.Functions.Http;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Http;

/// <summary>The one storage-failure policy of the HTTP endpoints: 503 with Retry-After and the reason, nothing else caught.</summary>
public sealed class StorageFailureTests
{
    public static TheoryData<Exception, string> StorageFailures => new()
    {
        { new RequestFailedException(500, "boom", "InternalError", null), "storage answered 500 (InternalError)" },
        { new RequestFailedException("connection refused"), "storage could not be reached" },
        { new AggregateException(new RequestFailedException("refused"), new RequestFailedException("refused")), "storage could not be reached" },
        { new LedgerConflictException("lead-1"), "the lead is being updated by too many deliveries at once" },
    };

    [Theory]
    [MemberData(nameof(StorageFailures))]
    public async Task AnswerAsync_StorageFailure_503ProblemWithRetryAfter(Exception failure, string why)
    {
        var result = await StorageFailure.AnswerAsync(() => throw failure, "The thing was not done", "send it again");

        var response = await ExecuteAsync(result);
        Assert.Equal(503, response.Status);
        Assert.Equal(Problems.ContentType, response.ContentType);
        Assert.Equal("30", response.Headers.RetryAfter.ToString());
        Assert.Equal($"The thing was not done because {why}; send it again.", response.Json.GetProperty("detail").GetString());
        Assert.Equal("Storage is unavailable.", response.Json.GetProperty("title").GetString());
    }

    public static TheoryData<Exception, string> PermanentRefusals => new()
    {
        { new RequestFailedException(400, "too large", "PropertyValueTooLarge", null), "storage answered 400 (PropertyValueTooLarge)" },
        { new RequestFailedException(413, "too large", "RequestBodyTooLarge", null), "storage answered 413 (RequestBodyTooLarge)" },
        { new LedgerPermanentFailureException("lead-1", "storage answered 400 (EntityTooLarge)"), "lead 'lead-1'" },
    };

    [Theory]
    [MemberData(nameof(PermanentRefusals))]
    public async Task AnswerAsync_PermanentRefusal_500ProblemWithoutRetryAfter(Exception failure, string why)
    {
        var result = await StorageFailure.AnswerAsync(() => throw failure, "The thing was not done", "send it again");

        var response = await ExecuteAsync(result);
        Assert.Equal(500, response.Status);
        Assert.Equal(Problems.ContentType, response.ContentType);
        Assert.False(response.Headers.ContainsKey("Retry-After"));
        Assert.StartsWith("The thing was not done: ", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(why, response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Storage refuses the change.", response.Json.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    public async Task AnswerAsync_TimeoutOrThrottled_StillRetryable(int status)
    {
        var result = await StorageFailure.AnswerAsync(() => throw new RequestFailedException(status, "later"), "The thing was not done", "send it again");

        Assert.Equal(503, (await ExecuteAsync(result)).Status);
    }

    [Fact]
    public async Task AnswerAsync_OtherException_Propagates() =>
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            StorageFailure.AnswerAsync(() => throw new InvalidOperationException("a bug"), "The thing was not done", "send it again"));

    [Fact]
    public async Task AnswerAsync_NoFailure_TheCallsAnswer()
    {
        var ok = new JsonBodyResult(200, new { Done = true });

        Assert.Same(ok, await StorageFailure.AnswerAsync(() => Task.FromResult<IActionResult>(ok), "The thing was not done", "send it again"));
    }

    private static Task<HttpResult> ExecuteAsync(IActionResult result) =>
        HttpInvoker.ExecuteAsync(HttpInvoker.Request("GET", "/", null), result);
}
