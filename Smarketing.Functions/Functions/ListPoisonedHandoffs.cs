using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Functions.Http;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// <c>GET /api/handoffs/poison</c> (master key and an admin credential, see <see cref="AdminAccess"/>): every dead-lettered handoff (table <c>HandoffDeadLetters</c>) with its
/// reason, its lead and the lead's status now. Reading changes nothing.
/// </summary>
public sealed class ListPoisonedHandoffs(AdminAccess access, PoisonedHandoffStore poison)
{
    [Function(nameof(ListPoisonedHandoffs))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "handoffs/poison")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        return await StorageFailure.AnswerAsync(
            async () =>
            {
                var (items, truncated) = await poison.ListAsync(cancellationToken);
                return new JsonBodyResult(StatusCodes.Status200OK, new { Count = items.Count, Truncated = truncated, Items = items });
            },
            "The dead letters could not be read",
            "try again");
    }
}
