using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// Reads the conditions of one rule or gate: finds the kind the object's key and operator select in
/// <see cref="ConditionKinds"/> and lets it read the rest. Every problem is reported under <paramref name="where"/>.
/// </summary>
internal sealed class ConditionReader(string where, List<string> problems)
{
    public Condition? Read(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: {path}: expected a condition (a JSON object), got {ModelObject.Describe(element)}");
            return null;
        }

        var present = ConditionKinds.Shapes.Where(s => element.TryGetProperty(s.Key, out _)).ToList();
        if (present.Count != 1)
        {
            var keys = string.Join(", ", ConditionKinds.Shapes.Select(s => s.Key));
            problems.Add(present.Count == 0
                ? $"{where}: {path}: a condition needs exactly one of: {keys}"
                : $"{where}: {path}: a condition has exactly one of: {keys}; found {string.Join(" and ", present.Select(s => s.Key))}");
            return null;
        }

        var shape = present[0];
        var o = ModelObject.Open(element, where, path, "a condition", problems, shape.Properties)!;
        if (!shape.IsTest)
        {
            return ConditionKinds.Find(shape, string.Empty)!.Read(new ConditionJson(o, this, path, string.Empty, string.Empty));
        }

        var subject = o.NonBlankString(shape.Key, required: true);
        var op = ReadOperator(o);
        if (op is null || subject is null)
        {
            return null;
        }

        if (ConditionKinds.Find(shape, op) is not { } kind)
        {
            o.Problem("op", shape.WrongOperator!(subject, op));
            return null;
        }

        return kind.Read(new ConditionJson(o, this, path, shape.Canonical!(subject), op));
    }

    private static string? ReadOperator(ModelObject o)
    {
        var op = o.String("op", required: true);
        if (op is not null && !ConditionKinds.Operators.Contains(op, StringComparer.Ordinal))
        {
            o.Problem("op", $"unknown operator '{op}'; expected one of: {string.Join(", ", ConditionKinds.Operators)}");
            return null;
        }

        return op;
    }
}
