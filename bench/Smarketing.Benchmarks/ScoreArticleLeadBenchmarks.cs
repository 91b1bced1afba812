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
    private ScoreLine[] _lines = null!;

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

        var result = _model.Score(_lead, _now);
        if (result.Score != 80 || ArticlePort.CalculateLeadScore(_lead) != 80)
        {
            throw new InvalidOperationException("The article's lead must score 80 on both paths.");
        }

        _lines = [.. result.Explanation];
    }

    [Benchmark(Baseline = true, Description = "article calculateLeadScore (C# port)")]
    public int ArticlePortScore() => ArticlePort.CalculateLeadScore(_lead);

    [Benchmark(Description = "ScoringModel.Score (default model from JSON)")]
    public ScoreResult ModelScore() => _model.Score(_lead, _now);

    /// <summary>
    /// Not scoring at all: only building a result of the same shape from already-made lines. It is the floor
    /// under any engine that returns a <see cref="ScoreResult"/>, shown so the ratio above can be read against it.
    /// </summary>
    [Benchmark(Description = "result allocation only (floor, no scoring)")]
    public ScoreResult ResultOnly()
    {
        var lines = new ScoreLine[_lines.Length];
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = _lines[i];
        }

        return new ScoreResult
        {
            Score = 80,
            Threshold = 70,
            IsMql = true,
            Explanation = lines,
            MissingForMql = [],
            ModelVersion = "sha256:0000000000000000",
        };
    }
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
        lead.Activities.TryGetValue(activity, out var signal) && signal.Count > 0;
}
