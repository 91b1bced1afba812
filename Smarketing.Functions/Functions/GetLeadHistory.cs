using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Leads;
using Smarketing.Functions.Http;

namespace Smarketing.Functions;

/// <summary>
/// <c>GET /api/leads/{leadId}/history?from=N</c>: the lead's full history, oldest first, <see cref="PageSize"/> moves a
/// page from move N (1 when left out), with the path of the next page.
/// </summary>
public sealed class GetLeadHistory(AdminAccess access, ILeadLedger ledger)
{
    public const int PageSize = 100;

    [Function(nameof(GetLeadHistory))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "leads/{leadId}/history")] HttpRequest request,
        string leadId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        var folded = Identifiers.NormalizeLeadId(leadId);
        var from = 1;
        var given = request.Query["from"].ToString();
        if (given.Length > 0 && (!int.TryParse(given, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out from) || from < 1))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "The request has invalid fields.", "from must be a whole number of at least 1 (the sequence of the first entry).");
        }

        return await StorageFailure.AnswerAsync(
            async () => AnswerHistory(folded, request.Path, await ledger.ReadHistoryAsync(folded, from, PageSize, cancellationToken)
                ?? (folded == leadId ? null : await ledger.ReadHistoryAsync(leadId, from, PageSize, cancellationToken))),
            "The history could not be read",
            "try again");
    }

    private static JsonBodyResult AnswerHistory(string leadId, PathString path, LeadHistoryPage? page)
    {
        if (page is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "Unknown lead.", $"The ledger has no lead '{SensitiveText.Echo(leadId)}'.");
        }

        var next = page.NextSequence;
        return new JsonBodyResult(StatusCodes.Status200OK, new
        {
            LeadId = leadId,
            page.Total,
            From = page.FirstSequence,
            page.Entries,
            Next = next is null ? null : $"{path}?from={next}",
        });
    }
}
