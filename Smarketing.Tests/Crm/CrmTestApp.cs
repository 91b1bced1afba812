using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.HubSpot;
using Smarketing.Core.Handoff.Salesforce;
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

    public static async Task<HttpResult> ListPoisonAsync(this TestApp app)
    {
        var request = HttpInvoker.Request("GET", "/api/handoffs/poison", null);
        var result = await app.Function<ListPoisonedHandoffs>().Run(request, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    public static async Task<HttpResult> ReplayAsync(this TestApp app, string body)
    {
        var request = HttpInvoker.Request("POST", "/api/handoffs/poison/replay", body);
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
