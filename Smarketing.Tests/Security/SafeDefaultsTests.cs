using System.Text.Json;
using Smarketing.Functions.Composition;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Intake;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// A copy-paste deployment must not be an open one: outside Development the app refuses to start with unsigned intake,
/// a secret from the sample file or a weak secret, naming the setting and never its value; and no caller can pick an
/// unsigned source by route or header.
/// </summary>
public sealed class SafeDefaultsTests
{
    private const string Strong = "Jq3v9XkP2mZt7Rw4Ls8Nc6Hb1Gd5Fy0A";

    public static TheoryData<string, string> UnsafeSettings() => new()
    {
        { "Intake:Generic:AllowUnsigned", "true" },
        { "Intake:HubSpot:AllowUnsigned", "true" },
        { "Intake:Marketo:AllowUnsigned", "true" },
        { "Intake:Marketo:Secrets", "marketo-secret" },
        { "Intake:Marketo:Secrets", Strong + ", aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
        { "Intake:HubSpot:ClientSecrets", "local-hubspot-client-secret" },
        { "Feedback:HubSpot:Secrets", "local-hubspot-api-key-change-me" },
        { "Feedback:HubSpot:ClientSecrets", "password1234password" },
        { "Feedback:Salesforce:FlowSecrets", "local-flow-secret-change-me" },
        { "Crm:HubSpot:AccessToken", "local-hubspot-api-key-change-me" },
    };

    [Theory]
    [MemberData(nameof(UnsafeSettings))]
    public async Task OutsideDevelopment_UnsafeSetting_RefusesToStartNamingItAndNotItsValue(string key, string value)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { [key] = value, ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production" });
        });

        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
        if (!key.EndsWith(":AllowUnsigned", StringComparison.Ordinal))
        {
            Assert.DoesNotContain(value.Split(',')[^1].Trim(), failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InDevelopment_UnsignedSourceAllowed_Starts()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Intake:Marketo:AllowUnsigned"] = "true",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        });

        var response = await app.PostToSourceAsync("marketo", Payloads.MarketoTemplate, "application/json", new Dictionary<string, string>());

        Assert.Equal(202, response.Status);
    }

    [Fact]
    public async Task DevelopmentCopiedToAppService_UnsignedSourceStillRefused()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Intake:Marketo:AllowUnsigned"] = "true",
                ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
                ["WEBSITE_INSTANCE_ID"] = "4f1c0d2e9a7b",
            });
        });

        Assert.Contains("Setting Intake:Marketo:AllowUnsigned is true outside Development", failure.Message, StringComparison.Ordinal);
        Assert.Contains("WEBSITE_INSTANCE_ID", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOldGlobalAllowUnsigned_RefusedEvenInDevelopment_NamingTheSettingsThatReplaceIt()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Intake:AllowUnsigned"] = "true", ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" });
        });

        Assert.Contains("Intake:Marketo:AllowUnsigned", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSampleSettingsOutsideDevelopment_RefusedNamingEveryUnsafeSetting()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "local.settings.sample.json")));
        var settings = sample.RootElement.GetProperty("Values").EnumerateObject()
            .Where(p => p.Name != "AzureWebJobsStorage")
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());
        var sampleSecrets = DeploymentSafety.SharedSecretSettings.Concat(DeploymentSafety.VendorCredentialSettings)
            .Where(k => !string.IsNullOrEmpty(settings.GetValueOrDefault(k)))
            .ToList();

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: settings);
        });

        Assert.NotEmpty(sampleSecrets);
        foreach (var key in sampleSecrets)
        {
            Assert.Contains(key + " (entry 1) holds a value from local.settings.sample.json", failure.Message, StringComparison.Ordinal);
        }

        foreach (var key in settings.Keys.Where(k => k.EndsWith(":AllowUnsigned", StringComparison.Ordinal)))
        {
            Assert.Contains($"Setting {key} is true outside Development", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GenericSigned_MarketoWithoutSecret_CallerCannotDowngradeToMarketoByHeaderOrRoute()
    {
        // Generic has a secret (the test app's default); Marketo has none and its operator allowed nothing unsigned.
        await using var app = await TestApp.StartAsync();
        var lead = Leads.Article("lead-downgrade").ToJsonString();

        var byHeader = await app.PostToSourceAsync(null, lead, "application/json", new Dictionary<string, string> { ["X-Smarketing-Source"] = "marketo" });
        var byRoute = await app.PostToSourceAsync("marketo", Payloads.MarketoTemplate, "application/json", new Dictionary<string, string>());

        Assert.Equal((401, 401), (byHeader.Status, byRoute.Status));
        Assert.Empty(await TestApp.RowsAsync(app.Layout.LeadLedger));
    }
}
