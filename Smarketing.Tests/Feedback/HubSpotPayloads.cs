using System.Text.Json.Nodes;

namespace Smarketing.Tests.Feedback;

/// <summary>Workflow webhook bodies as HubSpot sends them.</summary>
internal static class HubSpotPayloads
{
    /// <summary>
    /// "Include all contact properties": the contact as the contacts API returns it, each property with its value and
    /// its versions.
    /// </summary>
    public static string LegacyContact(string leadId, string leadStatus, string? reason = null, string? note = null, string ownerId = "81234567")
    {
        var properties = new JsonObject
        {
            ["email"] = Property("buyer@acme.example"),
            ["firstname"] = Property("Ada"),
            ["company"] = Property("Acme Payments"),
            ["hubspot_owner_id"] = Property(ownerId),
            ["smarketing_lead_id"] = Property(leadId),
            ["hs_lead_status"] = Property(leadStatus),
            ["lifecyclestage"] = Property("salesqualifiedlead"),
        };
        if (reason is not null)
        {
            properties["smarketing_disqualification_reason"] = Property(reason);
        }

        if (note is not null)
        {
            properties["smarketing_feedback_note"] = Property(note);
        }

        return new JsonObject
        {
            ["vid"] = 3234574,
            ["canonical-vid"] = 3234574,
            ["merged-vids"] = new JsonArray(),
            ["portal-id"] = 62515,
            ["is-contact"] = true,
            ["properties"] = properties,
            ["form-submissions"] = new JsonArray(),
            ["list-memberships"] = new JsonArray(),
            ["identity-profiles"] = new JsonArray(new JsonObject
            {
                ["vid"] = 3234574,
                ["saved-at-timestamp"] = 1794214800000,
                ["deleted-changed-timestamp"] = 0,
                ["identities"] = new JsonArray(new JsonObject { ["type"] = "EMAIL", ["value"] = "buyer@acme.example", ["timestamp"] = 1794214800000, ["is-primary"] = true }),
            }),
            ["merge-audits"] = new JsonArray(),
        }.ToJsonString();
    }

    /// <summary>"Customize request body": the chosen properties at the top level.</summary>
    public static string Customized(string leadId, string status, string? reason = null, bool? budget = null, bool? timeline = null)
    {
        var body = new JsonObject
        {
            ["hs_object_id"] = "3234574",
            ["smarketing_lead_id"] = leadId,
            ["hs_lead_status"] = status,
        };
        if (reason is not null)
        {
            body["smarketing_disqualification_reason"] = reason;
        }

        if (budget is not null)
        {
            body["smarketing_budget_confirmed"] = budget.Value ? "true" : "false";
        }

        if (timeline is not null)
        {
            body["smarketing_timeline_confirmed"] = timeline.Value ? "true" : "false";
        }

        return body.ToJsonString();
    }

    private static JsonObject Property(string value) => new()
    {
        ["value"] = value,
        ["versions"] = new JsonArray(new JsonObject
        {
            ["value"] = value,
            ["source-type"] = "CRM_UI",
            ["source-id"] = "userId:81234567",
            ["source-label"] = null,
            ["timestamp"] = 1794214800000,
            ["selected"] = false,
        }),
    };
}
