using System.Text.Json;
using System.Text.Json.Nodes;

namespace Smarketing.Functions.Storage;

/// <summary>
/// Handoff message bodies as the app keeps or re-sends them: without contact data. A version 1 message still carries
/// <c>email</c> and <c>phone</c>; both are dropped before such a body is dead-lettered or replayed (the handoff reads them
/// from the ledger). A body that is not a JSON object is no handoff message of the app's and is kept as it came.
/// </summary>
internal static class HandoffBodies
{
    private static readonly string[] ContactFields = ["email", "phone"];

    public static string WithoutContactData(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return body;
        }

        if (node is not JsonObject message)
        {
            return body;
        }

        var contact = message.Select(p => p.Key).Where(k => ContactFields.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        if (contact.Count == 0)
        {
            return body;
        }

        foreach (var key in contact)
        {
            message.Remove(key);
        }

        return message.ToJsonString();
    }
}
