using BenchmarkDotNet.Attributes;
using Smarketing.Core.Scoring;

namespace Smarketing.Benchmarks;

/// <summary>What a configuration change costs: parsing, validating, hashing and compiling the default model.</summary>
[MemoryDiagnoser]
public class LoadModelBenchmarks
{
    private string _json = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var stream = typeof(ScoringModel).Assembly.GetManifestResourceStream("Smarketing.Core.Scoring.default-scoring-model.json")!;
        using var reader = new StreamReader(stream);
        _json = reader.ReadToEnd();
    }

    [Benchmark(Description = "ScoringModel.Load (default model JSON)")]
    public ScoringModel Load() => ScoringModel.Load(_json);
}
