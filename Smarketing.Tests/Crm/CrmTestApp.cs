using Azure.Data.Tables;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.HubSpot;
using Smarketing.Core.Handoff.Salesforce;
using Smarketing.Core.Handoff.Sandbox;
using Smarketing.Core.Leads;
using Smarketing.Functions;
using Smarketing.Tests.Infrastructure;

namespace Smarketing.Tests.Crm;

/// <summary>Admin calls and dead-letter reads shared by the CRM handoff tests.</summary>
internal static class CrmTestApp
{
    /// <summary>The fake of each CRM, by the provider name its registration uses (and its settings set as Crm:Provider).</summary>
    private static readonly Dictionary<string, Func<Task<FakeCrmServer>>> Fakes = new(StringComparer.OrdinalIgnoreCase)
    {
        [SalesforceCrmClient.ProviderName] = async () => await FakeSalesforce.StartNewAsync(),
        [HubSpotCrmClient.ProviderName] = async () => await FakeHubSpot.StartNewAsync(),
    };

    public static Task<FakeCrmServer> StartCrmAsync(string provider) =>
        Fakes.TryGetValue(provider, out var start)
            ? start()
            : throw new ArgumentException($"No fake CRM for provider '{provider}'; add one to {nameof(CrmTestApp)}.{nameof(Fakes)}.", nameof(provider));

    /// <summary>The CRM whose records a test reads and changes as a rep: a fake server, or the app's own sandbox table.</summary>
    public static async Task<ICrmRecords> StartCrmRecordsAsync(string provider) =>
        string.Equals(provider, SandboxCrmClient.ProviderName, StringComparison.OrdinalIgnoreCase)
            ? new SandboxCrmRecords()
            : await StartCrmAsync(provider);

    public static async Task<HttpResult> ListPoisonAsync(this TestApp app)
    {
        var request = TestApp.AdminRequest("GET", "/api/handoffs/poison");
        var result = await app.Function<ListPoisonedHandoffs>().Run(request, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    public static async Task<HttpResult> ReplayAsync(this TestApp app, string body)
    {
        var request = TestApp.AdminRequest("POST", "/api/handoffs/poison/replay", body);
        var result = await app.Function<ReplayPoisonedHandoffs>().Run(request, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    /// <summary>The dead-lettered handoffs as the table holds them, oldest first.</summary>
    public static async Task<IReadOnlyList<DeadLetterRow>> DeadLettersAsync(this TestApp app) =>
        [.. (await TestApp.RowsAsync(app.Layout.HandoffDeadLetters))
            .Select(e => new DeadLetterRow(
                e.GetString("LeadId"),
                e.GetString("Kind"),
                e.GetString("Reason"),
                e.GetString("Provider"),
                e.GetDateTimeOffset("PoisonedAt")!.Value,
                System.Text.Encoding.UTF8.GetString(e.GetBinary("Body"))))
            .OrderBy(r => r.PoisonedAt)];

    public static Task<Lead?> LedgerAsync(this TestApp app, string leadId) =>
        ((ILeadLedger)app.Services.GetService(typeof(ILeadLedger))!).FindAsync(leadId, CancellationToken.None);

    public static Task SetCountryAsync(this TestApp app, string leadId, string country) =>
        ((ILeadLedger)app.Services.GetService(typeof(ILeadLedger))!).UpdateAsync(
            leadId,
            current => LedgerDecision.Save(Lead.Restore(current!.ToMemento() with { Country = country }), 0),
            CancellationToken.None);
}

/// <summary>A CRM stand-in for tests of the handoff and replay: fails as told, otherwise passes to the real client.</summary>
internal sealed class SwitchableCrm(ICrmClient inner) : ICrmClient
{
    private int _calls;

    public Func<CrmLeadUpsert, Exception?> Fail { get; set; } = _ => null;

    public int Calls => _calls;

    public string Provider => inner.Provider;

    public Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Fail(lead) is { } failure ? Task.FromException<CrmUpsertResult>(failure) : inner.UpsertLeadAsync(lead, cancellationToken);
    }
}

/// <summary>A row of the dead-letter table <c>HandoffDeadLetters</c>, read straight from storage.</summary>
internal sealed record DeadLetterRow(string? LeadId, string Kind, string Reason, string? Provider, DateTimeOffset PoisonedAt, string Body);

/// <summary>The sandbox CRM's records, read and changed in the app's <c>SandboxCrmLeads</c> table.</summary>
internal sealed class SandboxCrmRecords : ICrmRecords
{
    public string RepStatus => "Working";

    public IDictionary<string, string?> Settings() => new Dictionary<string, string?> { ["Crm:Provider"] = SandboxCrmClient.ProviderName };

    public async Task<CrmRecordView?> FindAsync(TestApp app, string leadId, string email) =>
        await FindRowAsync(app, leadId) is { } row ? new CrmRecordView(row.GetString("Id"), row.GetString("OwnerId"), row.GetString("LeadStatus")) : null;

    public async Task ChangeAsRepAsync(TestApp app, string leadId, string email, string ownerId, string status)
    {
        var row = await FindRowAsync(app, leadId) ?? throw new InvalidOperationException($"The sandbox has no record of lead '{leadId}'.");
        var change = new TableEntity(row.PartitionKey, row.RowKey) { ["OwnerId"] = ownerId, ["LeadStatus"] = status };
        await app.Layout.SandboxCrm.UpdateEntityAsync(change, row.ETag, TableUpdateMode.Merge);
    }

    public async Task DeleteAsync(TestApp app, string leadId, string email)
    {
        var row = await FindRowAsync(app, leadId) ?? throw new InvalidOperationException($"The sandbox has no record of lead '{leadId}'.");
        await app.Layout.SandboxCrm.DeleteEntityAsync(row.PartitionKey, row.RowKey);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task<TableEntity?> FindRowAsync(TestApp app, string leadId) =>
        (await TestApp.RowsAsync(app.Layout.SandboxCrm)).SingleOrDefault(e => e.GetString("ExternalId") == leadId);
}
