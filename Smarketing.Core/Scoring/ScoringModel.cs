using System.Globalization;
using System.Numerics;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring;

/// <summary>
/// A compiled lead-scoring model: rules that add or remove points, gates that force the score to 0,
/// the MQL threshold and the fields an MQL must have. Load it once from JSON (see <c>docs/scoring-model.md</c>)
/// and score any number of leads with it; it is immutable and safe to share between threads.
/// </summary>
public sealed class ScoringModel
{
    private const string DefaultResourceName = "Smarketing.Core.Scoring.default-scoring-model.json";

    private static readonly Lazy<ScoringModel> Default = new(() => Load(ReadDefaultJson()));

    private readonly ModelEvaluator _evaluate;
    private readonly string[] _required;

    private ScoringModel(ModelDefinition definition)
    {
        Name = definition.Name;
        Version = ModelVersion.Compute(definition);
        Threshold = definition.Threshold;
        _required = definition.RequiredForMql.ToArray();
        RequiredForMql = Array.AsReadOnly(_required);
        _evaluate = ModelCompiler.Compile(definition);
    }

    /// <summary>The model's name, from the file.</summary>
    public string Name { get; }

    /// <summary>
    /// The content hash of the model, <c>sha256:</c> and 16 hex digits. Formatting, property order and comments
    /// do not change it; any change to a rule, gate, point value, threshold or required field does.
    /// </summary>
    public string Version { get; }

    /// <summary>A lead is an MQL only when its score is strictly greater than this.</summary>
    public int Threshold { get; }

    /// <summary>The demographic fields a lead must have to be an MQL, whatever its score.</summary>
    public IReadOnlyList<string> RequiredForMql { get; }

    /// <summary>Parses, validates and compiles a model.</summary>
    /// <param name="json">The model file's text.</param>
    /// <exception cref="ScoringModelException">The text is not valid JSON or not a valid model; the message lists every problem.</exception>
    public static ScoringModel Load(string json) => new(ScoringModelReader.Read(json));

    /// <summary>The model shipped with Smarketing: the article's rules, gate and threshold of 70.</summary>
    public static ScoringModel LoadDefault() => Default.Value;

    /// <summary>Scores a lead.</summary>
    /// <param name="lead">The lead's demographic fields and activity signals.</param>
    /// <param name="now">The current time (from the caller's <see cref="TimeProvider"/>), for recency and decay.</param>
    public ScoreResult Score(LeadProfile lead, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lead);

        var lines = _evaluate(lead, now, out var gated, out var missingMask);

        // Lines of rules that did not fire and of gates carry 0 points.
        long total = 0;
        foreach (var line in lines)
        {
            total += line.Points;
        }

        var score = gated ? 0 : (int)Math.Clamp(total, int.MinValue, int.MaxValue);
        var missing = MissingNames(missingMask);
        return new ScoreResult
        {
            Score = score,
            Threshold = Threshold,
            IsMql = !gated && score > Threshold && missing.Length == 0,
            Explanation = lines,
            MissingForMql = missing,
            ModelVersion = Version,
        };
    }

    /// <summary>Name and version, e.g. for a log line.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Version})");

    private string[] MissingNames(ulong mask)
    {
        if (mask == 0)
        {
            // An empty collection expression is the shared Array.Empty instance: the common case allocates nothing.
            return [];
        }

        var names = new string[BitOperations.PopCount(mask)];
        var at = 0;
        for (var i = 0; i < _required.Length; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                names[at++] = _required[i];
            }
        }

        return names;
    }

    private static string ReadDefaultJson()
    {
        using var stream = typeof(ScoringModel).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {DefaultResourceName} is missing from {typeof(ScoringModel).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
