using System.Globalization;
using System.Text.Json;

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
        var o = JsonObject.Open(root, "model", string.Empty, "the scoring model", problems,
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

    private static List<string>? ReadRequiredForMql(JsonObject o, List<string> problems)
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
                problems.Add($"model: {path}: expected a field name, got {JsonObject.Describe(element)}");
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
        var o = JsonObject.Open(element, where, string.Empty, "a rule", problems,
            "id", "description", "when", "points", "perOccurrence", "cap", "halfLifeDays");
        if (o is null)
        {
            return null;
        }

        var id = ReadId(o, location, ids);
        var description = o.NonBlankString("description", required: false);
        var when = o.Element("when", required: true) is { } w ? ReadCondition(w, where, "when", problems) : null;
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
        var o = JsonObject.Open(element, where, string.Empty, "a gate", problems, "id", "reason", "when");
        if (o is null)
        {
            return null;
        }

        var id = ReadId(o, location, ids);
        var reason = o.NonBlankString("reason", required: true);
        var when = o.Element("when", required: true) is { } w ? ReadCondition(w, where, "when", problems) : null;
        return id is not null && reason is not null && when is not null ? new GateDefinition(id, reason, when) : null;
    }

    private static string Where(JsonElement element, string location) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("id", out var id)
        && id.ValueKind == JsonValueKind.String
        && !string.IsNullOrWhiteSpace(id.GetString())
            ? $"{location} '{id.GetString()}'"
            : location;

    private static string? ReadId(JsonObject o, string location, Dictionary<string, string> ids)
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

    private static ConditionDefinition? ReadCondition(JsonElement element, string where, string path, List<string> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: {path}: expected a condition (a JSON object), got {JsonObject.Describe(element)}");
            return null;
        }

        string[] kinds = ["field", "activity", "all", "any", "not"];
        var present = kinds.Where(k => element.TryGetProperty(k, out _)).ToList();
        if (present.Count != 1)
        {
            problems.Add(present.Count == 0
                ? $"{where}: {path}: a condition needs exactly one of: {string.Join(", ", kinds)}"
                : $"{where}: {path}: a condition has exactly one of: {string.Join(", ", kinds)}; found {string.Join(" and ", present)}");
            return null;
        }

        switch (present[0])
        {
            case "all":
            case "any":
                {
                    var key = present[0];
                    var o = JsonObject.Open(element, where, path, "a condition", problems, key);
                    if (o?.Array(key, required: true) is not { } array)
                    {
                        return null;
                    }

                    if (array.GetArrayLength() == 0)
                    {
                        o.Problem(key, "needs at least one condition");
                        return null;
                    }

                    var children = new List<ConditionDefinition>();
                    var index = 0;
                    var ok = true;
                    foreach (var child in array.EnumerateArray())
                    {
                        var childPath = string.Create(CultureInfo.InvariantCulture, $"{path}.{key}[{index++}]");
                        if (ReadCondition(child, where, childPath, problems) is { } c)
                        {
                            children.Add(c);
                        }
                        else
                        {
                            ok = false;
                        }
                    }

                    return !ok ? null : key == "all" ? new AllCondition(children) : new AnyCondition(children);
                }

            case "not":
                {
                    var o = JsonObject.Open(element, where, path, "a condition", problems, "not");
                    return o?.Element("not", required: true) is { } inner
                        && ReadCondition(inner, where, path + ".not", problems) is { } c
                        ? new NotCondition(c)
                        : null;
                }

            case "field":
                return ReadFieldCondition(element, where, path, problems);

            default:
                return ReadActivityCondition(element, where, path, problems);
        }
    }

    private static FieldCondition? ReadFieldCondition(JsonElement element, string where, string path, List<string> problems)
    {
        var o = JsonObject.Open(element, where, path, "a condition", problems,
            "field", "op", "value", "values", "min", "max", "ignoreCase");
        if (o is null)
        {
            return null;
        }

        var field = o.NonBlankString("field", required: true);
        if (ReadOperator(o) is not { } op || field is null)
        {
            return null;
        }

        var kind = LeadFields.Resolve(field, out var canonical);
        var token = op.Token();
        switch (op)
        {
            case ConditionOperator.EqualsText:
            case ConditionOperator.In:
                {
                    if (kind == FieldKind.Number)
                    {
                        o.Problem("op", $"'{token}' compares text and '{canonical}' is a number; use '==' or 'between'");
                        return null;
                    }

                    var ignoreCase = o.Bool("ignoreCase") ?? false;
                    if (op == ConditionOperator.EqualsText)
                    {
                        o.Forbid(token, "values", "min", "max");
                        var text = o.String("value", required: true);
                        return text is null || o.HasProblems ? null
                            : new FieldCondition(canonical, op, text, null, null, null, null, ignoreCase);
                    }

                    o.Forbid(token, "value", "min", "max");
                    var values = o.StringArray("values");
                    return values is null || o.HasProblems ? null
                        : new FieldCondition(canonical, op, null, values, null, null, null, ignoreCase);
                }

            case ConditionOperator.Present:
            case ConditionOperator.Missing:
                o.Forbid(token, "value", "values", "min", "max", "ignoreCase");
                return o.HasProblems ? null : new FieldCondition(canonical, op, null, null, null, null, null, false);

            case ConditionOperator.Occurred:
            case ConditionOperator.WithinDays:
                o.Problem("op", $"'{token}' applies to an activity, not a field; write {{ \"activity\": \"{field}\", \"op\": \"{token}\" }} if '{field}' is an activity");
                return null;

            default:
                {
                    if (kind == FieldKind.Text)
                    {
                        o.Problem("op", $"'{token}' compares numbers and '{canonical}' is text; use 'equals' or 'in'");
                        return null;
                    }

                    o.Forbid(token, "values", "ignoreCase");
                    var (number, min, max) = ReadNumericOperands(o, op);
                    return o.HasProblems ? null : new FieldCondition(canonical, op, null, null, number, min, max, false);
                }
        }
    }

    private static ActivityCondition? ReadActivityCondition(JsonElement element, string where, string path, List<string> problems)
    {
        var o = JsonObject.Open(element, where, path, "a condition", problems, "activity", "op", "value", "min", "max");
        if (o is null)
        {
            return null;
        }

        var activity = o.NonBlankString("activity", required: true);
        if (ReadOperator(o) is not { } op || activity is null)
        {
            return null;
        }

        var token = op.Token();
        switch (op)
        {
            case ConditionOperator.Occurred:
                o.Forbid(token, "value", "min", "max");
                return o.HasProblems ? null : new ActivityCondition(activity, op, null, null, null);

            case ConditionOperator.WithinDays:
                {
                    o.Forbid(token, "min", "max");
                    var days = o.Number("value", required: true);
                    if (days is <= 0)
                    {
                        o.Problem("value", string.Create(CultureInfo.InvariantCulture, $"a number of days greater than 0, got {days}"));
                    }

                    return o.HasProblems ? null : new ActivityCondition(activity, op, days, null, null);
                }

            case ConditionOperator.EqualsText:
            case ConditionOperator.In:
            case ConditionOperator.Present:
            case ConditionOperator.Missing:
                o.Problem("op", $"'{token}' applies to a field; an activity takes 'occurred', 'withinDays' or a comparison of its count ('>=', 'between', ...)");
                return null;

            default:
                {
                    var (number, min, max) = ReadNumericOperands(o, op);
                    return o.HasProblems ? null : new ActivityCondition(activity, op, number, min, max);
                }
        }
    }

    private static ConditionOperator? ReadOperator(JsonObject o)
    {
        var token = o.String("op", required: true);
        if (token is null)
        {
            return null;
        }

        if (!ConditionOperators.TryParse(token, out var op))
        {
            o.Problem("op", $"unknown operator '{token}'; expected one of: {ConditionOperators.AllTokens}");
            return null;
        }

        return op;
    }

    private static (double? Number, double? Min, double? Max) ReadNumericOperands(JsonObject o, ConditionOperator op)
    {
        if (op != ConditionOperator.Between)
        {
            o.Forbid(op.Token(), "min", "max");
            return (o.Number("value", required: true), null, null);
        }

        o.Forbid("between", "value");
        var min = o.Number("min", required: true);
        var max = o.Number("max", required: true);
        if (min > max)
        {
            o.Problem("min", string.Create(CultureInfo.InvariantCulture, $"{min} is greater than max {max}"));
        }

        return (null, min, max);
    }

    /// <summary>One JSON object of the model, with the location every problem found in it is reported under.</summary>
    private sealed class JsonObject
    {
        private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
        private readonly string _where;
        private readonly string _path;
        private readonly List<string> _problems;
        private readonly int _problemsBefore;

        private JsonObject(string where, string path, List<string> problems)
        {
            _where = where;
            _path = path;
            _problems = problems;
            _problemsBefore = problems.Count;
        }

        /// <summary>True once any problem was reported since this object was opened (including in nested objects).</summary>
        public bool HasProblems => _problems.Count > _problemsBefore;

        public static JsonObject? Open(JsonElement element, string where, string path, string what, List<string> problems, params string[] allowed)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{where}: {(path.Length == 0 ? string.Empty : path + ": ")}expected {what} (a JSON object), got {Describe(element)}");
                return null;
            }

            var o = new JsonObject(where, path, problems);
            foreach (var property in element.EnumerateObject())
            {
                if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                {
                    o.Problem(property.Name, $"unknown property; expected one of: {string.Join(", ", allowed)}");
                }
                else if (!o._properties.TryAdd(property.Name, property.Value))
                {
                    o.Problem(property.Name, "appears twice");
                }
            }

            return o;
        }

        public static string Describe(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => $"a string (\"{element.GetString()}\")",
            JsonValueKind.Number => $"a number ({element.GetRawText()})",
            JsonValueKind.True or JsonValueKind.False => $"a boolean ({element.GetRawText()})",
            JsonValueKind.Null => "null",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => "nothing",
        };

        public bool Has(string name) => _properties.ContainsKey(name);

        public void Problem(string property, string message) =>
            _problems.Add($"{_where}: {(_path.Length == 0 ? property : _path + "." + property)}: {message}");

        public void Forbid(string op, params string[] names)
        {
            foreach (var name in names)
            {
                if (Has(name))
                {
                    Problem(name, $"not used by operator '{op}'");
                }
            }
        }

        public JsonElement? Element(string name, bool required)
        {
            if (_properties.TryGetValue(name, out var value))
            {
                return value;
            }

            if (required)
            {
                Problem(name, "is required");
            }

            return null;
        }

        public string? String(string name, bool required)
        {
            if (Element(name, required) is not { } e)
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.String)
            {
                Problem(name, $"expected a string, got {Describe(e)}");
                return null;
            }

            return e.GetString();
        }

        public string? NonBlankString(string name, bool required)
        {
            var value = String(name, required);
            if (value is not null && string.IsNullOrWhiteSpace(value))
            {
                Problem(name, "must not be blank");
                return null;
            }

            return value;
        }

        public int? Int(string name, bool required)
        {
            if (Element(name, required) is not { } e)
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var value))
            {
                Problem(name, $"expected a whole number, got {Describe(e)}");
                return null;
            }

            return value;
        }

        public double? Number(string name, bool required)
        {
            if (Element(name, required) is not { } e)
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                Problem(name, $"expected a number, got {Describe(e)}");
                return null;
            }

            return value;
        }

        public bool? Bool(string name)
        {
            if (Element(name, required: false) is not { } e)
            {
                return null;
            }

            if (e.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Problem(name, $"expected true or false, got {Describe(e)}");
                return null;
            }

            return e.GetBoolean();
        }

        public JsonElement? Array(string name, bool required)
        {
            if (Element(name, required) is not { } e)
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.Array)
            {
                Problem(name, $"expected an array, got {Describe(e)}");
                return null;
            }

            return e;
        }

        public List<string>? StringArray(string name)
        {
            if (Array(name, required: true) is not { } array)
            {
                return null;
            }

            if (array.GetArrayLength() == 0)
            {
                Problem(name, "needs at least one value");
                return null;
            }

            var values = new List<string>();
            var index = 0;
            foreach (var e in array.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.String)
                {
                    Problem(string.Create(CultureInfo.InvariantCulture, $"{name}[{index}]"), $"expected a string, got {Describe(e)}");
                }
                else
                {
                    values.Add(e.GetString()!);
                }

                index++;
            }

            return values.Count == index ? values : null;
        }
    }
}
