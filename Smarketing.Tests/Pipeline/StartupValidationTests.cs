using Microsoft.Extensions.Options;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Pipeline;

public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Routing:Reps", "", "Routing:Reps")]
    [InlineData("Routing:Reps", "rep-a,rep-a", "Routing:Reps")]
    [InlineData("Crm:Provider", "Dynamics", "Crm:Provider")]
    [InlineData("Scoring:ModelPath", "/nonexistent/model.json", "Scoring:ModelPath")]
    [InlineData("Lifecycle:DisqualificationReasons:0:Code", "not upper", "Lifecycle:DisqualificationReasons:0:Code")]
    [InlineData("Handoff:ReconcileGrace", "00:00:01", "Handoff:ReconcileGrace")]
    [InlineData("Http:TrustedProxyHops", "6", "Http:TrustedProxyHops")]
    [InlineData("Handoff:ReconcileGrace", "2.00:00:00", "Handoff:ReconcileGrace")]
    [InlineData("AzureFunctionsJobHost:extensions:queues:maxDequeueCount", "0", "AzureFunctionsJobHost:extensions:queues:maxDequeueCount (AzureFunctionsJobHost__extensions__queues__maxDequeueCount)")]
    [InlineData("AzureFunctionsJobHost:extensions:queues:maxDequeueCount", "101", "AzureFunctionsJobHost:extensions:queues:maxDequeueCount")]
    public async Task Start_BadSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { [key] = value });
        });

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoMaxDequeueCountSetting_TheAppsLastDeliveryIsHostJsons()
    {
        await using var app = await TestApp.StartAsync();

        var options = (Microsoft.Extensions.Options.IOptions<Smarketing.Functions.Storage.HandoffQueueOptions>)app.Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<Smarketing.Functions.Storage.HandoffQueueOptions>))!;

        // The app dead-letters on the delivery the host would poison after: the two must agree.
        Assert.Equal(HostQueueSettings.FromHostJson().MaxDequeueCount, options.Value.MaxDequeueCount);
    }

    [Fact]
    public async Task Start_MissingStorageConnection_FailsNamingAzureWebJobsStorage()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "" });
        });

        Assert.Contains("AzureWebJobsStorage", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithTheSampleSettings_StartsAndTakesTheArticlesLeadUnsigned()
    {
        using var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "local.settings.sample.json")));
        var settings = sample.RootElement.GetProperty("Values").EnumerateObject()
            .Where(p => p.Name != "AzureWebJobsStorage")
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());

        // As func start runs it: Core Tools set the environment to Development.
        settings["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";

        await using var app = await TestApp.StartAsync(settings: settings);
        var response = await app.PostToSourceAsync(null, Leads.Article().ToJsonString(), "application/json", new Dictionary<string, string>());

        Assert.Equal(202, response.Status);
        Assert.Equal(80, response.Json.GetProperty("score").GetInt32());
    }
}
