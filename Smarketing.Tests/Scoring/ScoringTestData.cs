using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;

namespace Smarketing.Tests.Scoring;

internal static class TestLeads
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The sample lead of the article, as the engine sees it.</summary>
    /// <summary>The article's lead who also contacted support: 80 - 10 = 70.</summary>
    public static LeadProfile ArticleWhoContactedSupport() => Article() with
    {
        Activities = Activities(
            ("viewedPricingPage", ActivitySignal.FromFlag(true)),
            ("downloadedCaseStudy", ActivitySignal.FromFlag(true)),
            ("contactedSupport", ActivitySignal.FromFlag(true))),
    };

    public static LeadProfile Article() => new()
    {
        Industry = "SaaS",
        CompanySize = 250,
        Email = "test@example.com",
        Phone = "555-123-4567",
        Activities = Activities(
            ("viewedPricingPage", ActivitySignal.FromFlag(true)),
            ("downloadedCaseStudy", ActivitySignal.FromFlag(true)),
            ("contactedSupport", ActivitySignal.FromFlag(false))),
    };

    public static Dictionary<string, ActivitySignal> Activities(params (string Name, ActivitySignal Signal)[] activities)
    {
        var result = new Dictionary<string, ActivitySignal>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, signal) in activities)
        {
            result[name] = signal;
        }

        return result;
    }

    public static Dictionary<string, string> Attributes(params (string Name, string Value)[] attributes)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in attributes)
        {
            result[name] = value;
        }

        return result;
    }

    public static LeadProfile WithActivity(string name, int count, DateTimeOffset? lastOccurredAt = null) => new()
    {
        Activities = Activities((name, new ActivitySignal { Count = count, LastOccurredAt = lastOccurredAt })),
    };
}

internal static class TestModels
{
    public static string Json(string rules, int threshold = 70, string requiredForMql = "[]", string gates = "") => $$"""
        {
          "name": "test",
          "threshold": {{threshold}},
          "requiredForMql": {{requiredForMql}},
          "rules": [ {{rules}} ],
          "gates": [ {{gates}} ]
        }
        """;

    /// <summary>A model of one rule "r" worth <paramref name="points"/> with the given condition and extra rule properties.</summary>
    public static ScoringModel SingleRule(string when, int points = 10, string extra = "") =>
        ScoringModel.Load(Json($$"""{ "id": "r", "when": {{when}}, "points": {{points}}{{extra}} }"""));
}
