using System.Globalization;
using System.Text.Json;
using Smarketing.Core.Scoring.Conditions;

namespace Smarketing.Core.Scoring;

/// <summary>
/// Reads a scoring model file into a <see cref="ModelDefinition"/>. It walks the JSON by hand rather than
/// deserialising because a deserialiser stops at the first problem, and whoever edits the model wants every
/// problem at once, each naming the rule (id and index) and the property.
/// </summary>
internal static class ScoringModelReader
{
    /// <summary>The evaluator reports missing required fields as bits of a <see cref="ulong"/>.</summary>
    public const int MaxRequiredForMql = 64;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // Model files are hand-edited configuration: let people comment out a rule.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static ModelDefinition Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new ScoringModelException([DescribeSyntaxError(ex)]);
        }

        using (document)
        {
            var problems = new List<string>();
            var model = ReadModel(document.RootElement, problems);
            if (problems.Count > 0 || model is null)
            {
                throw new ScoringModelException(problems);
            }

            return model;
        }
    }

    private static string DescribeSyntaxError(JsonException ex)
    {
        // The parser's message ends with its own zero-based "LineNumber: 2 | BytePositionInLine: 5."; say it the way editors count.
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return ex.LineNumber is { } line && ex.BytePositionInLine is { } column
            ? string.Create(CultureInfo.InvariantCulture, $"model: invalid JSON at line {line + 1}, column {column + 1}: {message}")
            : $"model: invalid JSON: {message}";
    }

    private static ModelDefinition? ReadModel(JsonElement root, List<string> problems)
    {
        var o = ModelObject.Open(root, "model", string.Empty, "the scoring model", problems,
            "name", "description", "threshold", "requiredForMql", "rules", "gates");
        if (o is null)
        {
            return null;
        }

        var name = o.NonBlankString("name", required: true);
        var description = o.NonBlankString("description", required: false);
        var threshold = o.Int("threshold", required: true);
        var required = ReadRequiredForMql(o, problems);

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var rules = new List<RuleDefinition>();
        if (o.Array("rules", required: true) is { } ruleArray)
        {
            if (ruleArray.GetArrayLength() == 0)
            {
                o.Problem("rules", "a model needs at least one rule");
            }

            var index = 0;
            foreach (var element in ruleArray.EnumerateArray())
            {
                if (ReadRule(element, index++, ids, problems) is { } rule)
                {
                    rules.Add(rule);
                }
            }
        }

        var gates = new List<GateDefinition>();
        if (o.Array("gates", required: false) is { } gateArray)
        {
            var index = 0;
            foreach (var element in gateArray.EnumerateArray())
            {
                if (ReadGate(element, index++, ids, problems) is { } gate)
                {
                    gates.Add(gate);
                }
            }
        }

        return name is null || threshold is null || required is null
            ? null
            : new ModelDefinition(name, description, threshold.Value, required, rules, gates);
    }

    private static List<string>? ReadRequiredForMql(ModelObject o, List<string> problems)
    {
        var result = new List<string>();
        if (o.Array("requiredForMql", required: false) is not { } array)
        {
            return o.Has("requiredForMql") ? null : result;
        }

        var index = 0;
        var ok = true;
        foreach (var element in array.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"requiredForMql[{index++}]");
            if (element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
            {
                problems.Add($"model: {path}: expected a field name, got {ModelObject.Describe(element)}");
                ok = false;
                continue;
            }

            LeadFields.Resolve(element.GetString()!, out var canonical);
            if (result.Contains(canonical, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"model: {path}: '{canonical}' is listed twice");
                ok = false;
                continue;
            }

            result.Add(canonical);
        }

        if (result.Count > MaxRequiredForMql)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"model: requiredForMql: at most {MaxRequiredForMql} fields, got {result.Count}"));
            ok = false;
        }

        return ok ? result : null;
    }

    private static RuleDefinition? ReadRule(JsonElement element, int index, Dictionary<string, string> ids, List<string> problems)
    {
        var location = string.Create(CultureInfo.InvariantCulture, $"rules[{index}]");
        var where = Where(element, location);
        var o = ModelObject.Open(element, where, string.Empty, "a rule", problems,
            "id", "description", "when", "points", "perOccurrence", "cap", "halfLifeDays");
        if (o is null)
        {
            return null;
        }

        var id = ReadId(o, location, ids);
        var description = o.NonBlankString("description", required: false);
        var when = o.Element("when", required: true) is { } w ? new ConditionReader(where, problems).Read(w, "when") : null;
        var points = o.Int("points", required: true);
        var perOccurrence = o.Bool("perOccurrence") ?? false;
        var cap = o.Int("cap", required: false);
        var halfLife = o.Number("halfLifeDays", required: false);

        var ok = true;
        if (cap is <= 0)
        {
            o.Problem("cap", "must be greater than 0 (it bounds the size of the rule's points, for negative points too)");
            ok = false;
        }
        else if (cap is not null && !perOccurrence)
        {
            o.Problem("cap", "applies only to a rule with \"perOccurrence\": true");
            ok = false;
        }

        if (halfLife is <= 0)
        {
            o.Problem("halfLifeDays", string.Create(CultureInfo.InvariantCulture, $"must be greater than 0, got {halfLife}"));
            ok = false;
        }

        if ((perOccurrence || halfLife is not null) && when is not null and not ActivityCondition)
        {
            o.Problem("when", "perOccurrence and halfLifeDays need \"when\" to be a single activity condition: its count and last occurrence are what they use");
            ok = false;
        }

        return ok && id is not null && when is not null && points is not null
            ? new RuleDefinition(id, description, when, points.Value, perOccurrence, cap, halfLife)
            : null;
    }

    private static GateDefinition? ReadGate(JsonElement element, int index, Dictionary<string, string> ids, List<string> problems)
    {
        var location = string.Create(CultureInfo.InvariantCulture, $"gates[{index}]");
        var where = Where(element, location);
        var o = ModelObject.Open(element, where, string.Empty, "a gate", problems, "id", "reason", "when");
        if (o is null)
        {
            return null;
        }

        var id = ReadId(o, location, ids);
        var reason = o.NonBlankString("reason", required: true);
        var when = o.Element("when", required: true) is { } w ? new ConditionReader(where, problems).Read(w, "when") : null;
        return id is not null && reason is not null && when is not null ? new GateDefinition(id, reason, when) : null;
    }

    private static string Where(JsonElement element, string location) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("id", out var id)
        && id.ValueKind == JsonValueKind.String
        && !string.IsNullOrWhiteSpace(id.GetString())
            ? $"{location} '{id.GetString()}'"
            : location;

    private static string? ReadId(ModelObject o, string location, Dictionary<string, string> ids)
    {
        var id = o.NonBlankString("id", required: true);
        if (id is null)
        {
            return null;
        }

        if (id.Any(char.IsControl))
        {
            o.Problem("id", "must not contain control characters");
            return null;
        }

        if (!ids.TryAdd(id, location))
        {
            o.Problem("id", $"duplicate id '{id}', already used by {ids[id]}");
            return null;
        }

        return id;
    }
}
