using System.Text.Json.Nodes;

namespace Smarketing.Tests.Pipeline;

/// <summary>Lead webhook bodies used across the pipeline tests.</summary>
internal static class Leads
{
    public const string Campaign = "2026-q4-webinar";

    /// <summary>The article's sample lead: scores 80 under the default model.</summary>
    public static JsonObject Article(string id = "lead-article-1") => new()
    {
        ["id"] = id,
        ["email"] = "test@example.com",
        ["phone"] = "555-123-4567",
        ["industry"] = "SaaS",
        ["companySize"] = 250,
        ["campaign"] = Campaign,
        ["source"] = "webinar",
        ["actions"] = new JsonObject
        {
            ["viewedPricingPage"] = true,
            ["downloadedCaseStudy"] = true,
            ["contactedSupport"] = false,
        },
    };

    /// <summary>The article's lead who also contacted support: 80 - 10 = 70, which is not above the threshold.</summary>
    public static JsonObject ScoringExactly70(string id = "lead-seventy")
    {
        var lead = Article(id);
        lead["actions"]!["contactedSupport"] = true;
        return lead;
    }
}
