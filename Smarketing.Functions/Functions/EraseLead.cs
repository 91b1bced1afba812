using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Contracts;
using Smarketing.Functions.Http;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// <c>DELETE /api/leads/{leadId}</c> (admin): erases the person's contact data everywhere the app keeps it and keeps the
/// anonymous funnel (see <see cref="LeadEraser"/>). An id that is an e-mail address is taken as the address of an id-less
/// lead, pseudonymised as intake does. 200 with what was erased; 200 with <c>alreadyErased: true</c> when a
/// previous erasure left nothing; 404 for a lead the ledger never saw. The CRM's own record is not touched.
/// </summary>
public sealed class EraseLead(LeadEraser eraser, LeadIds ids)
{
    /// <summary>The header App Service Authentication sets to the signed-in principal's name (it drops one a client sends).</summary>
    public const string PrincipalNameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";

    [Function(nameof(EraseLead))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "leads/{leadId}")] HttpRequest request,
        string leadId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problem = string.IsNullOrWhiteSpace(leadId) ? "Required." : Identifiers.Problem(leadId);
        if (problem is not null)
        {
            var errors = new FieldErrors();
            errors.Add("leadId", problem);
            return Problems.Validation(errors);
        }

        var id = ids.For(leadId, leadId!);
        return await StorageFailure.AnswerAsync(
            async () =>
            {
                var result = await eraser.EraseAsync(id, RequestedBy(request), cancellationToken);
                if (!result.Found)
                {
                    return Problems.Create(StatusCodes.Status404NotFound, "Unknown lead.", $"The ledger has no lead '{id}'; nothing was erased.");
                }

                return new JsonBodyResult(StatusCodes.Status200OK, new
                {
                    result.LeadId,
                    Erased = true,
                    result.AlreadyErased,
                    result.ErasedAt,
                    Removed = result.Erased,
                    Crm = "The CRM's own record is not touched: erase the person there too (docs/security.md, Personal data).",
                });
            },
            "The lead was not erased (or only in part)",
            "send the same DELETE again");
    }

    // Who asked, for the audit row: the App Service Authentication principal when there is one; otherwise the function's
    // admin key was the only credential.
    private static string RequestedBy(HttpRequest request)
    {
        var name = request.Headers[PrincipalNameHeader].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(name))
        {
            return "admin-key";
        }

        var clean = new string([.. name.Where(c => !char.IsControl(c))]);
        return "principal:" + (clean.Length > 200 ? clean[..200] : clean);
    }
}
