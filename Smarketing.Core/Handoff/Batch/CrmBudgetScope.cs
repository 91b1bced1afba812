namespace Smarketing.Core.Handoff.Batch;

/// <summary>
/// The lane the CRM requests of the current flow spend (an ambient value, like a logging scope): every request the
/// CRM HttpClients send, retries and token requests included, takes one from <see cref="ICrmRequestBudget"/> for it.
/// </summary>
public static class CrmBudgetScope
{
    private static readonly AsyncLocal<CrmBudgetLane?> Lane = new();

    /// <summary>The lane of the current flow: <see cref="CrmBudgetLane.Webhook"/> unless a scope says otherwise.</summary>
    public static CrmBudgetLane Current => Lane.Value ?? CrmBudgetLane.Webhook;

    /// <summary>
    /// Spends the CRM requests made until the returned scope is disposed from <paramref name="lane"/>, e.g.
    /// <c>using (CrmBudgetScope.Enter(CrmBudgetLane.Import)) { await crm.UpsertBatchAsync(...); }</c>.
    /// </summary>
    public static IDisposable Enter(CrmBudgetLane lane)
    {
        var previous = Lane.Value;
        Lane.Value = lane;
        return new Scope(previous);
    }

    private sealed class Scope(CrmBudgetLane? previous) : IDisposable
    {
        public void Dispose() => Lane.Value = previous;
    }
}
