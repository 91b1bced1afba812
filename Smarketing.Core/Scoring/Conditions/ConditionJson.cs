using System.Globalization;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// What a kind's reader reads: the condition object, whose problems are reported under the rule or gate and the
/// condition's path, and for a field or activity test its subject and operator, already read and checked.
/// </summary>
internal sealed class ConditionJson(ModelObject properties, ConditionReader reader, string path, string subject, string op)
{
    public ModelObject Properties { get; } = properties;

    /// <summary>The field (in its canonical spelling) or activity under test; empty for a combination.</summary>
    public string Subject { get; } = subject;

    /// <summary>The operator as written, e.g. <c>&gt;=</c>; empty for a combination.</summary>
    public string Operator { get; } = op;

    /// <summary>The condition in property <paramref name="name"/> (required).</summary>
    public Condition? ReadNested(string name) =>
        Properties.Element(name, required: true) is { } element ? reader.Read(element, $"{path}.{name}") : null;

    /// <summary>The non-empty array of conditions in property <paramref name="name"/>; null if it or any of them has a problem.</summary>
    public IReadOnlyList<Condition>? ReadNestedList(string name)
    {
        if (Properties.Array(name, required: true) is not { } array)
        {
            return null;
        }

        if (array.GetArrayLength() == 0)
        {
            Properties.Problem(name, "needs at least one condition");
            return null;
        }

        var conditions = new List<Condition>();
        var index = 0;
        var ok = true;
        foreach (var element in array.EnumerateArray())
        {
            if (reader.Read(element, string.Create(CultureInfo.InvariantCulture, $"{path}.{name}[{index++}]")) is { } condition)
            {
                conditions.Add(condition);
            }
            else
            {
                ok = false;
            }
        }

        return ok ? conditions : null;
    }
}
