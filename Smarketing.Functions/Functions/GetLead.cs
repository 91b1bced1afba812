using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Leads;
using Smarketing.Functions.Http;

namespace Smarketing.Functions;

/// <summary>
/// <c>GET /api/leads/{leadId}</c>: the lead's ledger row: status, score and why, its latest history entries (the full
/// history is <see cref="GetLeadHistory"/>), handoff progress.
/// </summary>
public sealed class GetLead(AdminAccess access, ILeadLedger ledger)
{
    [Function(nameof(GetLead))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "leads/{leadId}")] HttpRequest request,
        string leadId,
        CancellationToken cancellationToken)
    {
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        // Lead ids are stored case-folded (Identifiers.NormalizeLeadId): Lead-1 and lead-1 are one lead. A lead stored
        // before ids were folded keeps its row under its own spelling, and stays readable under it.
        var folded = Identifiers.NormalizeLeadId(leadId);
        return await StorageFailure.AnswerAsync(
            async () => Answer(folded, await ledger.FindAsync(folded, cancellationToken)
                ?? (folded == leadId ? null : await ledger.FindAsync(leadId, cancellationToken))),
            "The lead could not be read",
            "try again");
    }

    private static JsonBodyResult Answer(string leadId, Lead? record)
    {
        if (record is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "Unknown lead.", $"The ledger has no lead '{SensitiveText.Echo(leadId)}'.");
        }

        return new JsonBodyResult(StatusCodes.Status200OK, new
        {
            record.LeadId,
            Status = record.Status.ToWire(),
            record.StatusSince,
            record.RecycleCount,
            Email = Mask(record.Email),
            record.Campaign,
            record.Source,
            record.OwnerId,
            record.CrmId,
            record.Score,
            record.ModelVersion,
            record.Explanation,
            record.Mql,
            HandoffPending = record.Handoff.Pending,
            HandoffFailures = record.Handoff.Failures,
            LastHandoffError = record.Handoff.LastError,
            record.Handoff.HandedOffAt,
            SpeedToLeadSeconds = record.Handoff.SpeedToLead?.TotalSeconds,
            record.CreatedAt,
            record.UpdatedAt,
            record.HistoryCount,
            record.History,
        });
    }

    // Personal data is shown only as much as a person needs to recognise the lead.
    internal static string? Mask(string? email)
    {
        if (email is null)
        {
            return null;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : email[0] + "***" + email[at..];
    }
}
