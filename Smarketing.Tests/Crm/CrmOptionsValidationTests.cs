using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.HubSpot;
using Smarketing.Core.Handoff.Salesforce;
using Smarketing.Core.Handoff.Sandbox;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>A bad CRM or routing setting stops the app at start with a message naming the setting.</summary>
public sealed class CrmOptionsValidationTests
{
    /// <summary>The least settings each CRM starts with, by its provider name; a new CRM adds its own.</summary>
    private static readonly Dictionary<string, Dictionary<string, string?>> ValidSettings = new(StringComparer.Ordinal)
    {
        [SalesforceCrmClient.ProviderName] = new()
        {
            ["Crm:Provider"] = SalesforceCrmClient.ProviderName,
            ["Crm:Salesforce:LoginUrl"] = "https://acme.my.salesforce.com",
            ["Crm:Salesforce:ClientId"] = "id",
            ["Crm:Salesforce:ClientSecret"] = "secret",
        },
        [HubSpotCrmClient.ProviderName] = new()
        {
            ["Crm:Provider"] = HubSpotCrmClient.ProviderName,
            ["Crm:HubSpot:AccessToken"] = "pat-na1-x",
        },
    };

    public static TheoryData<string, string, string?, string> BadSettings => new()
    {
        { "Salesforce", "Crm:Salesforce:ClientSecret", "", "Crm:Salesforce:ClientSecret (Crm__Salesforce__ClientSecret) is required" },
        { "Salesforce", "Crm:Salesforce:ClientId", null, "Crm:Salesforce:ClientId" },
        { "Salesforce", "Crm:Salesforce:LoginUrl", "http://acme.my.salesforce.com", "Crm:Salesforce:LoginUrl" },
        { "Salesforce", "Crm:Salesforce:ApiVersion", "v40.0", "Crm:Salesforce:ApiVersion" },
        { "Salesforce", "Crm:Salesforce:ExternalIdField", "Smarketing Id", "Crm:Salesforce:ExternalIdField" },
        { "Salesforce", "Crm:Salesforce:Fields:Score", "MQL-Score", "Crm:Salesforce:Fields:Score" },
        { "Salesforce", "Crm:Salesforce:BulkThreshold", "0", "Crm:Salesforce:BulkThreshold (0) must be at least 1" },
        { "HubSpot", "Crm:HubSpot:AccessToken", "", "Crm:HubSpot:AccessToken" },
        { "HubSpot", "Crm:HubSpot:Properties:Score", "MQL Score", "Crm:HubSpot:Properties:Score" },
        { "HubSpot", "Crm:HubSpot:LifecycleStages:SAL", "Sales Qualified", "Crm:HubSpot:LifecycleStages:SAL" },
        { "HubSpot", "Crm:HubSpot:Properties:LeadId", "", "Crm:HubSpot:Properties:LeadId must name the unique-value contact property" },
        { "HubSpot", "Crm:HubSpot:Properties:LeadId", "email", "Crm:HubSpot:Properties:LeadId must not be the e-mail property" },
        { "HubSpot", "Crm:HubSpot:LifecycleStages:SAL", "sales_accepted", "Crm:HubSpot:LifecycleStages:SAL ('sales_accepted') is not in Crm:HubSpot:LifecycleStageOrder" },
        { "HubSpot", "Crm:HubSpot:LifecycleStageOrder", "lead,Sales Qualified", "Crm:HubSpot:LifecycleStageOrder holds 'Sales Qualified'" },
        { "HubSpot", "Crm:HubSpot:LifecycleStageOrder", "lead,salesqualifiedlead,lead", "Crm:HubSpot:LifecycleStageOrder lists a stage twice" },
        { "HubSpot", "Crm:Resilience:TotalTimeout", "00:10:00", "Crm:Resilience:TotalTimeout" },
        { "HubSpot", "Crm:Resilience:AttemptTimeout", "00:02:00", "Crm:Resilience:AttemptTimeout" },
        { "HubSpot", "Crm:Resilience:MaxRetryAfter", "00:05:00", "Crm:Resilience:MaxRetryAfter" },
        { "HubSpot", "Crm:Resilience:MaxRetries", "50", "Crm:Resilience:MaxRetries" },
        { "HubSpot", "Crm:Circuit:ProbeDelay", "00:00:00", "Crm:Circuit:ProbeDelay" },
        { "HubSpot", "Crm:Circuit:MaxProbeDelay", "00:00:10", "Crm:Circuit:MaxProbeDelay" },
        { "HubSpot", "Crm:Circuit:DailyLimitProbeDelay", "2.00:00:00", "Crm:Circuit:DailyLimitProbeDelay" },
        { "HubSpot", "Crm:Circuit:CredentialsProbeDelay", "-00:01:00", "Crm:Circuit:CredentialsProbeDelay" },
        { "HubSpot", "Crm:Circuit:DeferralJitter", "01:00:00", "Crm:Circuit:DeferralJitter" },
        { "HubSpot", "Crm:Circuit:MaxDeferral", "8.00:00:00", "Crm:Circuit:MaxDeferral" },
        { "HubSpot", "Crm:Budget:ImportShare", "1.5", "Setting Crm:Budget:ImportShare (1.5) must be between 0 and 1" },
        { "HubSpot", "Crm:Budget:BlockSize", "0", "Setting Crm:Budget:BlockSize (0) must be between 1 and 100" },
        { "HubSpot", "Crm:Budget:HubSpot:Requests", "-1", "Setting Crm:Budget:HubSpot:Requests (-1)" },
        { "HubSpot", "Crm:Budget:HubSpot:Window", "00:00:07", "Setting Crm:Budget:HubSpot:Window (00:00:07)" },
        { "Salesforce", "Crm:Budget:Salesforce:DailyShare", "0", "Setting Crm:Budget:Salesforce:DailyShare (0)" },
        { "Salesforce", "Crm:Budget:Salesforce:DailyLimit", "0", "Setting Crm:Budget:Salesforce:DailyLimit (0)" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void CrmOptions_BadSetting_FailureNamesTheSetting(string provider, string key, string? value, string named)
    {
        var settings = new Dictionary<string, string?>(ValidSettings[provider]) { [key] = value };
        using var host = CrmTestHost.Create(settings);

        var failure = Assert.Throws<OptionsValidationException>(host.ValidateOnStart);

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Dynamics")]
    [InlineData("")]
    public void CrmOptions_UnknownProvider_FailureListsTheProviders(string provider)
    {
        using var host = CrmTestHost.Create(new Dictionary<string, string?> { ["Crm:Provider"] = provider });

        var failure = Assert.Throws<OptionsValidationException>(host.ValidateOnStart);

        Assert.Contains("Crm:Provider", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox, Salesforce, HubSpot", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrmOptions_SandboxWithNoCrmSettings_Valid()
    {
        using var host = CrmTestHost.Create(new Dictionary<string, string?> { ["Crm:Provider"] = "sandbox" });

        host.ValidateOnStart();

        Assert.Equal(SandboxCrmClient.ProviderName, host.Get<CrmProviders>().Find(host.Get<IOptions<CrmOptions>>().Value.Provider));
    }

    [Theory]
    [InlineData("Salesforce")]
    [InlineData("HubSpot")]
    public void CrmOptions_OtherProviderWithBadSettings_OnlyTheConfiguredCrmIsChecked(string configured)
    {
        // The settings of the CRM not in use are left at their (invalid) blanks.
        using var host = CrmTestHost.Create(ValidSettings[configured]);

        host.ValidateOnStart();
    }

    [Theory]
    [InlineData("Routing:InactiveReps", "rep-nobody", "Routing:InactiveReps names 'rep-nobody'")]
    [InlineData("Routing:CursorShards", "0", "Routing:CursorShards (Routing__CursorShards) must be between 1 and 64")]
    [InlineData("Routing:CursorShards", "65", "Routing:CursorShards (Routing__CursorShards) must be between 1 and 64")]
    [InlineData("Routing:InactiveReps", "rep-ada,rep-grace,rep-linus", "Routing:InactiveReps marks every rep")]
    [InlineData("Routing:Territories:0:Reps", "rep-x", "Routing:Territories:0 needs Countries or Industries")]
    [InlineData("Routing:Territories:0:Countries", "DE", "Routing:Territories:0:Reps must list")]
    public void RoutingOptions_BadSetting_FailureNamesTheSetting(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Routing:Territories", StringComparison.Ordinal))
        {
            settings["Routing:Territories:0:Name"] = "DACH";
        }

        using var host = CrmTestHost.Create(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => host.Get<IOptions<RoutingOptions>>().Value);

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }
}
