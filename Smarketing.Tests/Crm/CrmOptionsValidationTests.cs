using Microsoft.Extensions.Options;
using Smarketing.Functions.Crm;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>A bad CRM or routing setting stops the app at start with a message naming the setting.</summary>
public sealed class CrmOptionsValidationTests
{
    private static readonly Dictionary<string, string?> Salesforce = new()
    {
        ["Crm:Provider"] = "Salesforce",
        ["Crm:Salesforce:LoginUrl"] = "https://acme.my.salesforce.com",
        ["Crm:Salesforce:ClientId"] = "id",
        ["Crm:Salesforce:ClientSecret"] = "secret",
    };

    private static readonly Dictionary<string, string?> HubSpot = new()
    {
        ["Crm:Provider"] = "HubSpot",
        ["Crm:HubSpot:AccessToken"] = "pat-na1-x",
    };

    public static TheoryData<string, string, string?, string> BadSettings => new()
    {
        { "Salesforce", "Crm:Salesforce:ClientSecret", "", "Crm:Salesforce:ClientSecret (Crm__Salesforce__ClientSecret) is required" },
        { "Salesforce", "Crm:Salesforce:ClientId", null, "Crm:Salesforce:ClientId" },
        { "Salesforce", "Crm:Salesforce:LoginUrl", "http://acme.my.salesforce.com", "Crm:Salesforce:LoginUrl" },
        { "Salesforce", "Crm:Salesforce:ApiVersion", "v40.0", "Crm:Salesforce:ApiVersion" },
        { "Salesforce", "Crm:Salesforce:ExternalIdField", "Smarketing Id", "Crm:Salesforce:ExternalIdField" },
        { "Salesforce", "Crm:Salesforce:Fields:Score", "MQL-Score", "Crm:Salesforce:Fields:Score" },
        { "HubSpot", "Crm:HubSpot:AccessToken", "", "Crm:HubSpot:AccessToken" },
        { "HubSpot", "Crm:HubSpot:Properties:Score", "MQL Score", "Crm:HubSpot:Properties:Score" },
        { "HubSpot", "Crm:HubSpot:LifecycleStages:SAL", "Sales Qualified", "Crm:HubSpot:LifecycleStages:SAL" },
        { "HubSpot", "Crm:Resilience:TotalTimeout", "00:10:00", "Crm:Resilience:TotalTimeout" },
        { "HubSpot", "Crm:Resilience:AttemptTimeout", "00:02:00", "Crm:Resilience:AttemptTimeout" },
        { "HubSpot", "Crm:Resilience:MaxRetryAfter", "00:05:00", "Crm:Resilience:MaxRetryAfter" },
        { "HubSpot", "Crm:Resilience:MaxRetries", "50", "Crm:Resilience:MaxRetries" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void CrmOptions_BadSetting_FailureNamesTheSetting(string provider, string key, string? value, string named)
    {
        var settings = new Dictionary<string, string?>(provider == "Salesforce" ? Salesforce : HubSpot) { [key] = value };
        using var host = CrmTestHost.Create(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => host.Get<IOptions<CrmOptions>>().Value);

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Dynamics")]
    [InlineData("")]
    public void CrmOptions_UnknownProvider_FailureListsTheProviders(string provider)
    {
        using var host = CrmTestHost.Create(new Dictionary<string, string?> { ["Crm:Provider"] = provider });

        var failure = Assert.Throws<OptionsValidationException>(() => host.Get<IOptions<CrmOptions>>().Value);

        Assert.Contains("Crm:Provider", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox, Salesforce, HubSpot", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrmOptions_SandboxWithNoCrmSettings_Valid()
    {
        using var host = CrmTestHost.Create(new Dictionary<string, string?> { ["Crm:Provider"] = "sandbox" });

        Assert.Equal(CrmProvider.Sandbox, host.Get<IOptions<CrmOptions>>().Value.ProviderKind);
    }

    [Theory]
    [InlineData("Routing:InactiveReps", "rep-nobody", "Routing:InactiveReps names 'rep-nobody'")]
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
