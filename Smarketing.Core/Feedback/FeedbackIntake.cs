using Microsoft.Extensions.Logging;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback;

/// <summary>
/// Records a delivery of one or more feedback items from any format. A delivery id seen before is answered as a
/// duplicate without touching the ledger (the move it carried may since have been followed by others, so
/// replaying it could be refused or, after a recycle, applied twice). Every other item goes to the
/// <see cref="FeedbackRecorder"/>; its delivery id is recorded only once the ledger has it, so a failure in between
/// makes the redelivery apply it (idempotently) instead of skipping it.
/// </summary>
/// <remarks>
/// Items about different leads are recorded concurrently; items about the same lead keep their order. A bad item
/// writes nothing and does not stop the others: the sender is told which items were refused and why.
/// </remarks>
public sealed class FeedbackIntake(
    FeedbackRecorder recorder,
    IFeedbackDeliveryLog deliveries,
    TimeProvider timeProvider,
    Contracts.LeadIds ids,
    ILogger<FeedbackIntake> logger)
{
    /// <summary>How many leads of one delivery are recorded at once.</summary>
    public const int MaxConcurrentLeads = 8;

    /// <summary>Records <paramref name="items"/> from <paramref name="source"/>; the results are in the items' order.</summary>
    public async Task<IReadOnlyList<FeedbackItemResult>> RecordAsync(
        string source,
        IReadOnlyList<FeedbackItem> items,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentNullException.ThrowIfNull(items);

        // A CRM that sends an e-mail address as lead id means the id-less lead of that address; the address itself is
        // never logged, recorded or looked up as an id.
        items = [.. items.Select(Pseudonymised)];
        var results = new FeedbackItemResult[items.Count];
        var seenInDelivery = new HashSet<string>(StringComparer.Ordinal);
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.DeliveryId is not null && !seenInDelivery.Add(item.DeliveryId))
            {
                results[i] = new FeedbackItemResult { DeliveryId = item.DeliveryId, LeadId = item.LeadId, Status = FeedbackItemStatus.DuplicateDelivery };
                continue;
            }

            if (item.Feedback is null)
            {
                results[i] = new FeedbackItemResult
                {
                    DeliveryId = item.DeliveryId,
                    LeadId = item.LeadId,
                    Status = FeedbackItemStatus.Invalid,
                    Errors = item.Errors ?? new Contracts.FieldErrors(),
                };
                logger.FeedbackItemUnreadable(source, item.DeliveryId, item.LeadId, results[i].Errors!.ToString());
                continue;
            }

            if (!groups.TryGetValue(item.Feedback.LeadId, out var indexes))
            {
                groups[item.Feedback.LeadId] = indexes = [];
            }

            indexes.Add(i);
        }

        await Parallel.ForEachAsync(
            groups.Values,
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentLeads, CancellationToken = cancellationToken },
            async (indexes, ct) =>
            {
                foreach (var i in indexes)
                {
                    results[i] = await RecordOneAsync(source, items[i], ct);
                }
            });
        return results;
    }

    private async Task<FeedbackItemResult> RecordOneAsync(string source, FeedbackItem item, CancellationToken cancellationToken)
    {
        var feedback = item.Feedback!;
        if (item.DeliveryId is not null)
        {
            var seen = await deliveries.FindAsync(source, item.DeliveryId, cancellationToken);
            if (seen is not null)
            {
                logger.FeedbackDeliveryDuplicate(source, item.DeliveryId, feedback.LeadId);
                return new FeedbackItemResult
                {
                    DeliveryId = item.DeliveryId,
                    LeadId = feedback.LeadId,
                    Status = FeedbackItemStatus.DuplicateDelivery,
                    LeadStatus = seen.Status,
                };
            }
        }

        FeedbackOutcome outcome;
        try
        {
            outcome = await recorder.RecordAsync(feedback, cancellationToken);
        }
        catch (LedgerPermanentFailureException ex)
        {
            // This lead can never be written; the delivery's other items must not wait on it.
            logger.FeedbackItemUnwritable(source, item.DeliveryId, feedback.LeadId, ex.Reason);
            return new FeedbackItemResult { DeliveryId = item.DeliveryId, LeadId = feedback.LeadId, Status = FeedbackItemStatus.Unwritable, StorageRefusal = ex.Message };
        }

        var status = outcome.Status switch
        {
            FeedbackStatus.Applied => FeedbackItemStatus.Applied,
            FeedbackStatus.AlreadyApplied => FeedbackItemStatus.AlreadyApplied,
            FeedbackStatus.UnknownLead => FeedbackItemStatus.UnknownLead,
            FeedbackStatus.InvalidReason => FeedbackItemStatus.InvalidReason,
            _ => FeedbackItemStatus.Refused,
        };
        if (item.DeliveryId is not null && status is FeedbackItemStatus.Applied or FeedbackItemStatus.AlreadyApplied)
        {
            await deliveries.RecordAsync(
                new FeedbackDeliveryRecord
                {
                    Source = source,
                    DeliveryId = item.DeliveryId,
                    LeadId = feedback.LeadId,
                    Status = feedback.Status,
                    RecordedAt = timeProvider.GetUtcNow(),
                },
                cancellationToken);
        }

        return new FeedbackItemResult
        {
            DeliveryId = item.DeliveryId,
            LeadId = feedback.LeadId,
            Status = status,
            LeadStatus = outcome.LeadStatus,
            Outcome = outcome,
        };
    }

    private FeedbackItem Pseudonymised(FeedbackItem item) => item with
    {
        LeadId = item.LeadId is null ? null : ids.Received(item.LeadId),
        Feedback = item.Feedback is null ? null : item.Feedback with { LeadId = ids.Received(item.Feedback.LeadId) },
    };
}
