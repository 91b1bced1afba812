using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Functions.Http;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// <c>DELETE /api/leads/{leadId}</c> (master key and an admin credential, see <see cref="AdminAccess"/>): erases the person's contact data everywhere the app keeps it and keeps the
/// anonymous funnel (see <see cref="LeadEraser"/>). An id that is an e-mail address is taken as the address of an id-less
/// lead, pseudonymised as intake does. 200 with what was erased; 200 with <c>alreadyErased: true</c> when a
/// previous erasure left nothing; 404 for a lead the ledger never saw. The CRM's own record is not touched.
/// </summary>
public sealed class EraseLead(AdminAccess access, IOptions<AdminOptions> admin, LeadEraser eraser, LeadIds ids)
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
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        var problem = string.IsNullOrWhiteSpace(leadId) ? "Required." : Identifiers.Problem(leadId);
        if (problem is not null)
        {
            var errors = new FieldErrors();
            errors.Add("leadId", problem);
            return Problems.Validation(errors);
        }

        if (LeadIds.IsEmailAddress(leadId!))
        {
            // A URL reaches the platform's request logs and telemetry, which the app cannot scrub: the address goes in a body.
            var errors = new FieldErrors();
            errors.Add("leadId", "An e-mail address in a URL reaches request logs; send it as {\"email\": ...} in the body of POST /api/erasures.");
            return Problems.Validation(errors);
        }

        return await EraseAsync(request, Candidates(leadId!), cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/erasures</c> with <c>{"email": "..."}</c> (master key and an admin credential): erases the id-less
    /// lead of that address (and, while <c>Intake:LegacyUnsaltedIds</c> is on, the leads earlier versions kept under its
    /// unsalted hash or under the address), the same way as <c>DELETE /api/leads/{leadId}</c>. The address travels in
    /// the body so it never reaches a request log.
    /// </summary>
    [Function("ErasePerson")]
    public async Task<IActionResult> RunByAddress(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "erasures")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        var (body, unreadable) = await RequestBodies.ReadJsonAsync(request, cancellationToken);
        if (unreadable is not null)
        {
            return unreadable;
        }

        string? email = null;
        var errors = new FieldErrors();
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                errors.Add("$", "Expected a JSON object {\"email\": ...}.");
            }
            else if (!document.RootElement.TryGetProperty("email", out var value) || value.ValueKind != System.Text.Json.JsonValueKind.String)
            {
                errors.Add("email", "Required: the person's e-mail address, as a string.");
            }
            else if (!LeadIds.IsEmailAddress(value.GetString()!.Trim()))
            {
                errors.Add("email", "Not an e-mail address; erase a lead by its id with DELETE /api/leads/{leadId}.");
            }
            else
            {
                email = value.GetString()!.Trim();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            errors.Add("$", "The body is not valid JSON.");
        }

        return email is null ? Problems.Validation(errors) : await EraseAsync(request, Candidates(email), cancellationToken);
    }

    private async Task<IActionResult> EraseAsync(HttpRequest request, List<string> candidates, CancellationToken cancellationToken)
    {
        return await StorageFailure.AnswerAsync(
            async () =>
            {
                var requestedBy = RequestedBy(request);
                var found = new List<ErasureResult>();
                foreach (var id in candidates)
                {
                    var result = await eraser.EraseAsync(id, requestedBy, cancellationToken);
                    if (result.Found)
                    {
                        found.Add(result);
                    }
                }

                if (found.Count == 0)
                {
                    return Problems.Create(StatusCodes.Status404NotFound, "Unknown lead.", $"The ledger has no lead '{candidates[0]}'; nothing was erased.");
                }

                var first = found[0];
                return new JsonBodyResult(StatusCodes.Status200OK, new
                {
                    first.LeadId,
                    Erased = true,
                    AlreadyErased = found.All(f => f.AlreadyErased),
                    first.ErasedAt,
                    Removed = found.SelectMany(f => f.Erased).Distinct().ToList(),
                    OtherLeadIds = found.Skip(1).Select(f => f.LeadId).ToList(),
                    Crm = "The CRM's own record is not touched: erase the person there too (docs/security.md, Personal data).",
                });
            },
            "The lead was not erased (or only in part)",
            "send the same DELETE again");
    }

    // An e-mail address stands for the id-less lead of that address, and, while ids of earlier versions are in use, also
    // for the leads an earlier version kept under its unsalted hash or under the address itself.
    private List<string> Candidates(string leadId)
    {
        if (!LeadIds.IsEmailAddress(leadId))
        {
            // Lead ids are stored case-folded; a lead stored before ids were folded keeps its own spelling.
            var folded = Identifiers.NormalizeLeadId(leadId);
            return folded == leadId ? [leadId] : [folded, leadId];
        }

        return ids.LegacyLookup ? [ids.FromEmail(leadId), LeadIds.LegacyFromEmail(leadId), leadId] : [ids.FromEmail(leadId)];
    }

    // Who asked, for the audit row: the App Service Authentication principal when that header is trusted (the platform
    // sets it and drops one a client sends); otherwise the keys were the credential.
    private string RequestedBy(HttpRequest request)
    {
        var name = admin.Value.TrustAppServicePrincipal ? request.Headers[PrincipalNameHeader].FirstOrDefault() : null;
        if (string.IsNullOrWhiteSpace(name))
        {
            return "admin-key";
        }

        var clean = new string([.. name.Where(c => !char.IsControl(c))]);
        return "principal:" + (clean.Length > 200 ? clean[..200] : clean);
    }
}
