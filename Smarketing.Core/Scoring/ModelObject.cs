using System.Globalization;
using System.Text.Json;

namespace Smarketing.Core.Scoring;

/// <summary>One JSON object of the model, with the location every problem found in it is reported under.</summary>
internal sealed class ModelObject
{
    private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
    private readonly string _where;
    private readonly string _path;
    private readonly List<string> _problems;
    private readonly int _problemsBefore;

    private ModelObject(string where, string path, List<string> problems)
    {
        _where = where;
        _path = path;
        _problems = problems;
        _problemsBefore = problems.Count;
    }

    /// <summary>True once any problem was reported since this object was opened (including in nested objects).</summary>
    public bool HasProblems => _problems.Count > _problemsBefore;

    public static ModelObject? Open(JsonElement element, string where, string path, string what, List<string> problems, params string[] allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: {(path.Length == 0 ? string.Empty : path + ": ")}expected {what} (a JSON object), got {Describe(element)}");
            return null;
        }

        var o = new ModelObject(where, path, problems);
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
