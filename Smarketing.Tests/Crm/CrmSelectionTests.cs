using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>
/// A CRM is chosen by its keyed registration alone: a CRM registered under a new name (one line, as a new
/// folder's registration adds) is a valid Crm:Provider and takes the handoff, with nothing else changed.
/// </summary>
public sealed class CrmSelectionTests
{
    private const string NewCrm = "Pipedrive";

    [Fact]
    public async Task Handoff_ProviderNamesAKeyedCrmRegisteredAfterTheBuiltInOnes_ThatCrmGetsTheLead()
    {
        var pipedrive = new RecordingCrm(NewCrm);
        await using var app = await TestApp.StartAsync(
            b => b.Services.AddKeyedSingleton<ICrmClient>(NewCrm, pipedrive),
            new Dictionary<string, string?> { ["Crm:Provider"] = NewCrm.ToUpperInvariant() });
        await app.PostLeadAsync(Leads.Article().ToJsonString());

        await app.HandoffListener(TimeSpan.FromMilliseconds(100)).RunUntilEmptyAsync(TimeSpan.FromSeconds(60));

        var sent = Assert.Single(pipedrive.Upserts);
        Assert.Equal("lead-article-1", sent.ExternalId);
        var lead = (await app.GetLeadAsync("lead-article-1")).Json;
        Assert.Equal("SAL", lead.GetProperty("status").GetString());
        Assert.Equal("PD-lead-article-1", lead.GetProperty("crmId").GetString());
        Assert.Empty(await TestApp.RowsAsync(app.Layout.SandboxCrm));
    }

    [Fact]
    public void CrmOptions_UnknownProvider_ListsEveryKeyedRegistrationInOrder()
    {
        using var host = CrmTestHost.Create(
            new Dictionary<string, string?> { ["Crm:Provider"] = "Dynamics" },
            b => b.Services.AddKeyedSingleton<ICrmClient>(NewCrm, new RecordingCrm(NewCrm)));

        var failure = Assert.Throws<OptionsValidationException>(host.ValidateOnStart);

        Assert.Contains("Setting Crm:Provider is 'Dynamics'; this build supports: Sandbox, Salesforce, HubSpot, Pipedrive.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrmOptions_ProviderNamesAKeyedRegistration_ValidAndResolvedAsTheCrm()
    {
        var pipedrive = new RecordingCrm(NewCrm);
        using var host = CrmTestHost.Create(
            new Dictionary<string, string?> { ["Crm:Provider"] = NewCrm },
            b => b.Services.AddKeyedSingleton<ICrmClient>(NewCrm, pipedrive));

        host.ValidateOnStart();

        Assert.Same(pipedrive, host.Get<ICrmClient>());
    }

    private sealed class RecordingCrm(string provider) : ICrmClient
    {
        public ConcurrentQueue<CrmLeadUpsert> Upserts { get; } = new();

        public string Provider => provider;

        public Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
        {
            Upserts.Enqueue(lead);
            return Task.FromResult(new CrmUpsertResult { RecordId = "PD-" + lead.ExternalId, Created = Upserts.Count == 1 });
        }
    }
}
