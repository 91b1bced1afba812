using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Handoff;
using Smarketing.Core.Leads;
using Smarketing.Functions.Http;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// <c>GET /api/handoffs/status</c> (function key and an admin credential, see <see cref="AdminAccess"/>): is the CRM taking handoffs, and how much is waiting. The CRM's circuit
/// (closed, or open with its condition, since when, the next probe and the last error, without personal data), the
/// backlog of pending handoffs from the <c>PendingHandoffs</c> index with the age of the oldest pending MQL, and how many
/// dead letters wait for a replay. Its cost follows the pending work, never the ledger's size.
/// </summary>
public sealed class GetHandoffStatus(AdminAccess access, CrmCircuit circuit, IPendingHandoffIndex index, ILeadLedger ledger, PoisonedHandoffStore deadLetters, TimeProvider timeProvider)
{
    /// <summary>The most index entries one status read looks at.</summary>
    public const int MaxIndexEntries = 50_000;

    /// <summary>Up to this many pending leads each is checked against the ledger, so the backlog is exact; above, the index's count is an upper bound.</summary>
    public const int MaxLedgerChecks = 100;

    [Function(nameof(GetHandoffStatus))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "handoffs/status")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        return await StorageFailure.AnswerAsync(
            async () =>
            {
                var now = timeProvider.GetUtcNow();
                var crm = await circuit.ReadAsync(cancellationToken);
                var backlog = await BacklogAsync(now, cancellationToken);
                var (deadLetterCount, deadLettersTruncated) = await deadLetters.CountAsync(cancellationToken);
                return new JsonBodyResult(StatusCodes.Status200OK, new
                {
                    CheckedAt = now,
                    Crm = new
                    {
                        crm.Provider,
                        State = crm.Open ? "open" : "closed",
                        Condition = crm.Open ? crm.Condition?.ToString() : null,
                        Since = crm.Open ? crm.Since : null,
                        NextProbeAt = crm.Open ? crm.NextProbeAt : null,
                        FailedProbes = crm.Open ? crm.FailedProbes : 0,
                        crm.LastError,
                        LastCondition = crm.Open ? null : crm.Condition?.ToString(),
                        crm.ClosedAt,
                    },
                    Backlog = backlog,
                    DeadLetters = new { Count = deadLetterCount, Truncated = deadLettersTruncated },
                });
            },
            "The handoff status could not be read",
            "try again");
    }

    private async Task<object> BacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (entries, truncated) = await index.ReadAllAsync(MaxIndexEntries, cancellationToken);

        // The index is a superset (a lead handed off keeps its entry until the reconciler next looks): one lead, one count.
        var leads = entries
            .GroupBy(e => e.LeadId, StringComparer.Ordinal)
            .Select(g => (LeadId: g.Key, MqlAt: g.Min(e => e.MqlAt ?? DateTimeOffset.MaxValue)))
            .OrderBy(l => l.MqlAt)
            .ToList();
        var exact = !truncated && leads.Count <= MaxLedgerChecks;
        var pending = 0;
        DateTimeOffset? oldest = null;
        var checks = 0;
        foreach (var (leadId, _) in leads)
        {
            if (!exact && oldest is not null)
            {
                break;
            }

            if (!exact && checks++ == MaxLedgerChecks)
            {
                break;
            }

            var lead = await ledger.FindAsync(leadId, cancellationToken);
            if (lead is not null && lead.Status == LeadStatus.Mql && lead.Handoff.Pending)
            {
                pending++;
                oldest ??= lead.Mql?.At;
            }
        }

        return new
        {
            PendingHandoffs = exact ? pending : leads.Count,
            Exact = exact,
            OldestPendingMqlAt = oldest,
            OldestPendingMqlAgeSeconds = oldest is { } at ? (long?)Math.Max(0, (long)(now - at).TotalSeconds) : null,
        };
    }
}
