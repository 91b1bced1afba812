using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Contracts;
using Smarketing.Functions.Http;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/handoffs/poison/replay</c> (master key and an admin credential, see <see cref="AdminAccess"/>): re-queues chosen dead-lettered handoffs onto
/// <c>mql-handoff</c> and removes them from the dead letters. The body names them: <c>{"messageIds": [...]}</c>, <c>{"leadIds": [...]}</c> (both may be
/// given), or <c>{"all": true}</c>. A row whose lead was handed off since is removed and listed under
/// <c>alreadyHandedOff</c> instead of being sent again. A bad body gets a 400 naming the bad field and replays nothing.
/// </summary>
public sealed class ReplayPoisonedHandoffs(AdminAccess access, PoisonedHandoffStore poison)
{
    public const int MaxIds = 1000;

    [Function(nameof(ReplayPoisonedHandoffs))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "handoffs/poison/replay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (access.Refusal(request) is { } refused)
        {
            return refused;
        }

        var (body, problem) = await RequestBodies.ReadJsonAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var selection = TryParse(body, out var errors);
        if (selection is null)
        {
            return Problems.Validation(errors);
        }

        return await StorageFailure.AnswerAsync(
            async () =>
            {
                var result = await poison.ReplayAsync(selection, cancellationToken);
                return new JsonBodyResult(StatusCodes.Status200OK, new
                {
                    ReplayedCount = result.Replayed.Count,
                    result.Replayed,
                    NotFound = new { MessageIds = result.MessageIdsNotFound, LeadIds = result.LeadIdsNotFound },
                    result.AlreadyHandedOff,
                    result.Truncated,
                });
            },
            "The replay stopped",
            "what was not re-queued is still in the dead letters. Send it again");
    }

    internal static ReplaySelection? TryParse(ReadOnlyMemory<byte> body, out FieldErrors errors)
    {
        errors = new FieldErrors();
        if (!JsonObjectBody.TryParse(body, errors, out var document, maxDepth: 4,
                expected: "a JSON object: {\"messageIds\": [...]}, {\"leadIds\": [...]} or {\"all\": true}"))
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            var all = false;
            HashSet<string> messageIds = new(StringComparer.Ordinal), leadIds = new(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "all":
                        if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        {
                            errors.Add("all", "Must be true or false.");
                        }

                        all = property.Value.ValueKind == JsonValueKind.True;
                        break;
                    case "messageIds":
                        ReadIds(property, messageIds, errors);
                        break;
                    case "leadIds":
                        ReadIds(property, leadIds, errors, Identifiers.NormalizeLeadId);
                        break;
                    default:
                        errors.Add(property.Name, "Unknown field; the body takes messageIds, leadIds or all.");
                        break;
                }
            }

            if (errors.IsEmpty && all && (messageIds.Count > 0 || leadIds.Count > 0))
            {
                errors.Add("all", "Give either \"all\": true or ids, not both.");
            }
            else if (errors.IsEmpty && !all && messageIds.Count == 0 && leadIds.Count == 0)
            {
                errors.Add("$", "Name what to replay: messageIds, leadIds, or \"all\": true.");
            }

            return errors.IsEmpty ? new ReplaySelection { All = all, MessageIds = messageIds, LeadIds = leadIds } : null;
        }
    }

    private static void ReadIds(JsonProperty property, HashSet<string> ids, FieldErrors errors, Func<string, string>? normalize = null)
    {
        if (property.Value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(property.Name, "Must be an array of strings.");
            return;
        }

        var i = 0;
        foreach (var item in property.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                errors.Add($"{property.Name}[{i}]", "Must be a non-empty string.");
            }
            else
            {
                var id = item.GetString()!.Trim();
                ids.Add(normalize is null ? id : normalize(id));
            }

            i++;
        }

        if (i > MaxIds)
        {
            errors.Add(property.Name, $"At most {MaxIds} ids per request.");
        }
    }
}
