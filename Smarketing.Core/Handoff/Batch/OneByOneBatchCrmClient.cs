namespace Smarketing.Core.Handoff.Batch;

/// <summary>
/// The batch contract over a CRM that has no batch API: each lead is one <see cref="ICrmClient.UpsertLeadAsync"/>, a few at
/// a time. A refusal is that record's; a transient failure that says something about the CRM (a condition) fails the
/// whole batch, as it would fail the next lead too; any other failure leaves that record for the next batch.
/// </summary>
public sealed class OneByOneBatchCrmClient(ICrmClient crm) : IBatchCrmClient
{
    private const int Concurrency = 8;

    /// <inheritdoc />
    public string Provider => crm.Provider;

    /// <inheritdoc />
    public int MaxBatchSize => 100;

    /// <inheritdoc />
    public async Task<IReadOnlyList<CrmBatchOutcome>> UpsertLeadsAsync(IReadOnlyList<CrmLeadUpsert> leads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leads);
        var outcomes = new CrmBatchOutcome[leads.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, leads.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var lead = leads[i];
                try
                {
                    var result = await crm.UpsertLeadAsync(lead, token);
                    outcomes[i] = CrmBatchOutcome.Success(lead.ExternalId, result.RecordId, result.Created);
                }
                catch (CrmPermanentException ex)
                {
                    outcomes[i] = CrmBatchOutcome.Failed(lead.ExternalId, CrmBatchOutcomeKind.Refused, SensitiveText.Redact(ex.Message, lead.Email, lead.Phone));
                }
                catch (CrmTransientException ex) when (ex.Condition is null)
                {
                    outcomes[i] = CrmBatchOutcome.Failed(lead.ExternalId, CrmBatchOutcomeKind.Retry, SensitiveText.Redact(ex.Message, lead.Email, lead.Phone));
                }
            });
        return outcomes;
    }
}
