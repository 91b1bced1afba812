namespace Smarketing.Core.Handoff;

/// <summary>
/// Holds one handoff's CRM work (token, upsert, a second upsert with create defaults, lifecycle fixes: each
/// its own HTTP call with its own retries) to <see cref="CrmResilienceOptions.TotalTimeout"/> altogether, so
/// the time an invocation spends on the CRM is the number the README promises, whatever the call sequence.
/// </summary>
internal sealed class BudgetedCrmClient(ICrmClient inner, TimeSpan budget, TimeProvider timeProvider) : ICrmClient
{
    public string Provider => inner.Provider;

    public async Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        using var spent = new CancellationTokenSource(budget, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, spent.Token);
        try
        {
            return await inner.UpsertLeadAsync(lead, linked.Token);
        }
        catch (OperationCanceledException ex) when (spent.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CrmTransientException($"{inner.Provider} did not finish the upsert of lead '{lead.ExternalId}' within Crm:Resilience:TotalTimeout ({budget}); the next delivery tries again.", ex);
        }
    }
}
