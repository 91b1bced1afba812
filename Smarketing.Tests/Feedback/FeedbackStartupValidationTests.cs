using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback.SalesforceOutbound;
using Smarketing.Core.Leads;
using Smarketing.Functions.Composition;
using Smarketing.Tests.Infrastructure;
using Smarketing.Functions.Storage;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>
/// A bad feedback setting stops the app at start with a message naming it. Options are validated before any hosted
/// service touches storage, so these hosts need no Azurite account.
/// </summary>
public sealed class FeedbackStartupValidationTests
{
    [Theory]
    [InlineData("Feedback:Salesforce:OrganizationIds", "00D123", "Feedback:Salesforce:OrganizationIds")]
    [InlineData("Feedback:Salesforce:OrganizationIds", "001o0000000e0vQ", "Feedback:Salesforce:OrganizationIds")]
    [InlineData("Feedback:Salesforce:FlowSecrets", "short", "Feedback:Salesforce:FlowSecrets")]
    [InlineData("Feedback:Salesforce:OutboundMessageSecrets", "has spaces and & in it!!", "Feedback:Salesforce:OutboundMessageSecrets")]
    [InlineData("Feedback:HubSpot:ClientSecrets", "tiny", "Feedback:HubSpot:ClientSecrets")]
    [InlineData("Feedback:HubSpot:PublicBaseUrl", "smarketing.example.net", "Feedback:HubSpot:PublicBaseUrl")]
    [InlineData("Feedback:HubSpot:Fields:LeadId", "", "Feedback:HubSpot:Fields:LeadId")]
    [InlineData("Feedback:HubSpot:Fields:StatusMap", "UNQUALIFIED=GONE", "Feedback:HubSpot:Fields:StatusMap")]
    [InlineData("Feedback:HubSpot:Fields:StatusMap", "UNQUALIFIED=DISQUALIFIED:NOT_CONFIGURED", "Feedback:HubSpot:Fields")]
    [InlineData("Feedback:Salesforce:Fields:ReasonMap", "Not a fit=NOT_A_REASON", "Feedback:Salesforce:Fields")]
    [InlineData("Feedback:Salesforce:Fields:StatusMap", "Qualified=SQL:PRICE", "Feedback:Salesforce:Fields:StatusMap")]
    [InlineData("Feedback:Summary:DefaultDays", "0", "Feedback:Summary:DefaultDays")]
    [InlineData("Feedback:Summary:MaxConcurrent", "0", "Feedback:Summary:MaxConcurrent")]
    [InlineData("Feedback:Summary:CounterShards", "65", "Feedback:Summary:CounterShards")]
    public async Task Start_BadFeedbackSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        // A weak secret fails its format's validation and the deployment's safety check at once: both are reported.
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(new() { [key] = value }));

        Assert.True(failure is OptionsValidationException or AggregateException { InnerExceptions: [OptionsValidationException, ..] }, failure.ToString());
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OutboundSecretWithoutOrganization_FailsNamingOrganizationIds()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new()
        {
            ["Feedback:Salesforce:OutboundMessageSecrets"] = "om-token-7Yb2kQ9xV4mN1pR8",
        }));

        Assert.Contains("Feedback:Salesforce:OrganizationIds", failure.Message, StringComparison.Ordinal);
    }

    private static async Task StartAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        var values = new Dictionary<string, string?>(TestApp.DefaultSettings)
        {
            // Never reached: validation fails first.
            [StorageOptions.ConnectionSetting] = "DefaultEndpointsProtocol=http;AccountName=unused;AccountKey=" + Azurite.AccountKey + ";TableEndpoint=http://127.0.0.1:9/unused;QueueEndpoint=http://127.0.0.1:9/unused;",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.AddSmarketing();
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }
}

/// <summary>The feedback settings shipped in <c>local.settings.sample.json</c> pass the start-up validation.</summary>
public sealed class FeedbackSampleSettingsTests
{
    [Fact]
    public void SampleSettings_FeedbackAndLifecycleValues_Valid()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "local.settings.sample.json")));
        var settings = document.RootElement.GetProperty("Values").EnumerateObject()
            .Where(p => p.Name.StartsWith("Feedback__", StringComparison.Ordinal) || p.Name.StartsWith("Lifecycle__", StringComparison.Ordinal))
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSmarketing();
        using var host = builder.Build();

        var outbound = host.Services.GetRequiredService<SalesforceOutboundReader>();
        var values = host.Services.GetRequiredService<IOptions<SalesforceOutboundOptions>>().Value.Fields.Values(SalesforceOutboundOptions.FieldsSetting);

        Assert.True(settings.Count > 10);
        Assert.Equal(["00D000000000001"], outbound.OrganizationIds);
        Assert.True(values.TryMapStatus("Closed - Not Converted", out var closed));
        Assert.Equal(LeadStatus.Disqualified, closed.Status);
        Assert.Equal("BAD_TIMING", values.MapReason("Bad timing"));
    }
}
