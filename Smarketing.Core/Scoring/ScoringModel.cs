using System.Globalization;
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

    private readonly Func<LeadProfile, DateTimeOffset, ScoreLine>[] _rules;
    private readonly CompiledGate[] _gates;
    private readonly RequiredField[] _required;

    private ScoringModel(ModelDefinition definition)
    {
        Name = definition.Name;
        Version = ModelVersion.Compute(definition);
        Threshold = definition.Threshold;
        RequiredForMql = definition.RequiredForMql.ToArray();
        _rules = definition.Rules.Select(RuleCompiler.Compile).ToArray();
        _gates = definition.Gates.Select(g => new CompiledGate(
            ConditionCompiler.Compile(g.When),
            new ScoreLine { RuleId = g.Id, Description = g.Reason, Points = 0, IsGate = true })).ToArray();
        _required = definition.RequiredForMql.Select(f => new RequiredField(f, LeadFields.IsPresent(f))).ToArray();
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

        var gates = _gates;
        Span<bool> gateFired = gates.Length <= 64 ? stackalloc bool[gates.Length] : new bool[gates.Length];
        var firedGates = 0;
        for (var i = 0; i < gates.Length; i++)
        {
            if (gates[i].Condition(lead, now))
            {
                gateFired[i] = true;
                firedGates++;
            }
        }

        var rules = _rules;
        var lines = new ScoreLine[rules.Length + firedGates];
        long total = 0;
        for (var i = 0; i < rules.Length; i++)
        {
            var line = rules[i](lead, now);
            lines[i] = line;
            total += line.Points;
        }

        for (int i = 0, at = rules.Length; i < gates.Length; i++)
        {
            if (gateFired[i])
            {
                lines[at++] = gates[i].Line;
            }
        }

        var score = firedGates > 0 ? 0 : (int)Math.Clamp(total, int.MinValue, int.MaxValue);
        var missing = MissingForMql(lead);
        return new ScoreResult
        {
            Score = score,
            Threshold = Threshold,
            IsMql = firedGates == 0 && score > Threshold && missing.Length == 0,
            Explanation = lines,
            MissingForMql = missing,
            ModelVersion = Version,
        };
    }

    /// <summary>Name and version, e.g. for a log line.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Version})");

    private string[] MissingForMql(LeadProfile lead)
    {
        var required = _required;
        var count = 0;
        foreach (var field in required)
        {
            if (!field.IsPresent(lead))
            {
                count++;
            }
        }

        if (count == 0)
        {
            // An empty collection expression is the shared Array.Empty instance: the common case allocates nothing.
            return [];
        }

        var missing = new string[count];
        var at = 0;
        foreach (var field in required)
        {
            if (!field.IsPresent(lead))
            {
                missing[at++] = field.Name;
            }
        }

        return missing;
    }

    private static string ReadDefaultJson()
    {
        using var stream = typeof(ScoringModel).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {DefaultResourceName} is missing from {typeof(ScoringModel).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed record CompiledGate(LeadPredicate Condition, ScoreLine Line);

    private sealed record RequiredField(string Name, Func<LeadProfile, bool> IsPresent);
}
