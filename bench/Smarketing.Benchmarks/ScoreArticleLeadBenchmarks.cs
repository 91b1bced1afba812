using BenchmarkDotNet.Attributes;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;

namespace Smarketing.Benchmarks;

/// <summary>
/// The article's sample lead scored by the default model (compiled from its JSON) against a hand-written
/// port of the article's <c>calculateLeadScore</c>. The port returns a bare int; the engine returns the
/// score with its explanation, MQL verdict and model version, so its allocation is that result.
/// </summary>
[MemoryDiagnoser]
public class ScoreArticleLeadBenchmarks
{
    private ScoringModel _model = null!;
    private LeadProfile _lead = null!;
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        _model = ScoringModel.LoadDefault();
        _now = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        _lead = new LeadProfile
        {
            Industry = "SaaS",
            CompanySize = 250,
            Email = "test@example.com",
            Phone = "555-123-4567",
            Activities = new Dictionary<string, ActivitySignal>(StringComparer.OrdinalIgnoreCase)
            {
                ["viewedPricingPage"] = ActivitySignal.FromFlag(true),
                ["downloadedCaseStudy"] = ActivitySignal.FromFlag(true),
                ["contactedSupport"] = ActivitySignal.FromFlag(false),
            },
        };

        if (_model.Score(_lead, _now).Score != 80 || ArticlePort.CalculateLeadScore(_lead) != 80)
        {
            throw new InvalidOperationException("The article's lead must score 80 on both paths.");
        }
    }

    [Benchmark(Baseline = true, Description = "article calculateLeadScore (C# port)")]
    public int ArticlePortScore() => ArticlePort.CalculateLeadScore(_lead);

    [Benchmark(Description = "ScoringModel.Score (default model from JSON)")]
    public ScoreResult ModelScore() => _model.Score(_lead, _now);
}

/// <summary>The article's JavaScript, line for line, over the same <see cref="LeadProfile"/>.</summary>
internal static class ArticlePort
{
    public static int CalculateLeadScore(LeadProfile lead)
    {
        var score = 0;

        // Firmographic scoring
        if (lead.Industry is "SaaS" or "FinTech")
        {
            score += 20;
        }

        if (lead.CompanySize > 100)
        {
            score += 15;
        }

        // Behavioral scoring
        if (Occurred(lead, "viewedPricingPage"))
        {
            score += 30;
        }

        if (Occurred(lead, "downloadedCaseStudy"))
        {
            score += 15;
        }

        if (Occurred(lead, "contactedSupport"))
        {
            score -= 10;
        }

        // Data quality check
        if (string.IsNullOrEmpty(lead.Email) || string.IsNullOrEmpty(lead.Phone))
        {
            return 0;
        }

        return score;
    }

    private static bool Occurred(LeadProfile lead, string activity) =>
        lead.Activities.TryGetValue(activity, out var signal) && signal.Occurred;
}
