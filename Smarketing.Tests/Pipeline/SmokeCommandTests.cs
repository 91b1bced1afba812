using Smarketing.Smoke;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Pipeline;

public sealed class SmokeCommandTests
{
    [Fact]
    public async Task Smoke_AgainstTheAppOverHttp_EveryStepPasses()
    {
        // The smoke command signs with the real clock, so the app's clock starts at the real time.
        await using var app = await TestApp.StartAsync(clockStart: DateTimeOffset.UtcNow);
        await using var server = await LocalFunctionsServer.StartAsync(app);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Add("x-functions-key", LocalFunctionsServer.FunctionKey);
        http.DefaultRequestHeaders.Add(Smarketing.Functions.Http.AdminOptions.KeyHeader, TestApp.AdminKey);
        var output = new StringWriter();

        var passed = await new SmokeRunner(http, output, TimeSpan.FromSeconds(30), TestApp.GenericSecret, TestApp.FeedbackSecret).RunAsync(CancellationToken.None);

        Assert.True(passed, output.ToString());
        Assert.Contains("PASS: all 7 steps", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_WithoutTheFunctionKey_FailsAtTheFirstStep()
    {
        // The smoke command signs with the real clock, so the app's clock starts at the real time.
        await using var app = await TestApp.StartAsync(clockStart: DateTimeOffset.UtcNow);
        await using var server = await LocalFunctionsServer.StartAsync(app);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var output = new StringWriter();

        var passed = await new SmokeRunner(http, output, TimeSpan.FromSeconds(5), TestApp.GenericSecret, TestApp.FeedbackSecret).RunAsync(CancellationToken.None);

        Assert.False(passed);
        Assert.Contains("FAIL: step 1", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("401", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_HandoffNeverHappens_FailsNamingTheStuckStatus()
    {
        // The smoke command signs with the real clock, so the app's clock starts at the real time.
        await using var app = await TestApp.StartAsync(clockStart: DateTimeOffset.UtcNow);
        await using var server = await LocalFunctionsServer.StartAsync(app, runQueueListener: false);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Add("x-functions-key", LocalFunctionsServer.FunctionKey);
        http.DefaultRequestHeaders.Add(Smarketing.Functions.Http.AdminOptions.KeyHeader, TestApp.AdminKey);
        var output = new StringWriter();

        var passed = await new SmokeRunner(http, output, TimeSpan.FromSeconds(2), TestApp.GenericSecret, TestApp.FeedbackSecret).RunAsync(CancellationToken.None);

        Assert.False(passed);
        Assert.Contains("FAIL: step 4: still MQL", output.ToString(), StringComparison.Ordinal);
    }
}
