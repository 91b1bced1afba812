using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Smarketing.Core.Scoring;
using Smarketing.Core.Scoring.Conditions;
using Xunit;

namespace Smarketing.Tests.Scoring;

/// <summary>
/// Every kind registered in <see cref="ConditionKinds"/> is pinned here by construction: a kind without an example
/// below fails the first test, and each example must survive read → canonical form → read.
/// </summary>
public sealed class ConditionKindTests
{
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["field equals"] = """{ "field": "industry", "op": "equals", "value": "SaaS", "ignoreCase": true }""",
        ["field in"] = """{ "field": "Industry", "op": "in", "values": ["SaaS", "FinTech"] }""",
        ["field present"] = """{ "field": "phone", "op": "present" }""",
        ["field missing"] = """{ "field": "region", "op": "missing" }""",
        ["field >"] = """{ "field": "companySize", "op": ">", "value": 100 }""",
        ["field >="] = """{ "field": "seats", "op": ">=", "value": 2.5 }""",
        ["field <"] = """{ "field": "companySize", "op": "<", "value": 10 }""",
        ["field <="] = """{ "field": "companySize", "op": "<=", "value": 1e3 }""",
        ["field =="] = """{ "field": "companySize", "op": "==", "value": 250 }""",
        ["field !="] = """{ "field": "companySize", "op": "!=", "value": 0 }""",
        ["field between"] = """{ "field": "companySize", "op": "between", "min": 50, "max": 500 }""",
        ["activity occurred"] = """{ "activity": "viewedPricingPage", "op": "occurred" }""",
        ["activity withinDays"] = """{ "activity": "viewedPricingPage", "op": "withinDays", "value": 30 }""",
        ["activity >"] = """{ "activity": "attendedWebinar", "op": ">", "value": 1 }""",
        ["activity >="] = """{ "activity": "attendedWebinar", "op": ">=", "value": 3 }""",
        ["activity <"] = """{ "activity": "attendedWebinar", "op": "<", "value": 2 }""",
        ["activity <="] = """{ "activity": "attendedWebinar", "op": "<=", "value": 2 }""",
        ["activity =="] = """{ "activity": "attendedWebinar", "op": "==", "value": 0 }""",
        ["activity !="] = """{ "activity": "attendedWebinar", "op": "!=", "value": 0 }""",
        ["activity between"] = """{ "activity": "attendedWebinar", "op": "between", "min": 2, "max": 5 }""",
        ["all"] = """{ "all": [ { "field": "industry", "op": "present" }, { "any": [ { "activity": "a", "op": "occurred" }, { "not": { "field": "email", "op": "missing" } } ] } ] }""",
        ["any"] = """{ "any": [ { "field": "country", "op": "equals", "value": "DE" }, { "all": [ { "activity": "b", "op": ">=", "value": 2 } ] } ] }""",
        ["not"] = """{ "not": { "not": { "field": "jobTitle", "op": "in", "values": ["CTO"], "ignoreCase": true } } }""",
    };

    public static TheoryData<string> KindNames => [.. ConditionKinds.All.SelectMany(k => k.Names)];

    [Fact]
    public void Registered_EveryKind_HasAnExample()
    {
        var missing = ConditionKinds.All.SelectMany(k => k.Names).Where(n => !Examples.ContainsKey(n)).ToList();

        Assert.True(missing.Count == 0, $"Add an example to {nameof(ConditionKindTests)}.{nameof(Examples)} for: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void Read_CanonicalFormReadAgain_GivesSameCanonicalForm(string kind)
    {
        var condition = ReadCondition(Examples[kind]);
        var canonical = Canonical(condition);

        var again = ReadCondition(Readable(canonical));

        Assert.Equal(canonical, Canonical(again));
        Assert.Equal(condition.Describe(), again.Describe());
        Assert.Equal(kind, KindOf(canonical));
    }

    [Fact]
    public void Registered_EveryConditionType_IsReadByARegisteredKind()
    {
        var types = typeof(Condition).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Condition)) && !t.IsAbstract)
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal);
        var read = Examples.Values.Select(e => ReadCondition(e).GetType().Name).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(types, read);
    }

    private static Condition ReadCondition(string when) =>
        ScoringModelReader.Read(TestModels.Json($$"""{ "id": "r", "when": {{when}}, "points": 1 }""")).Rules[0].When;

    private static string Canonical(Condition condition)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            condition.WriteCanonical(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // The canonical form spells out "ignoreCase": false on every field test, and the reader refuses ignoreCase on
    // operators that do not use it; as a default, dropping it reads the same condition.
    private static string Readable(string canonical)
    {
        var node = JsonNode.Parse(canonical)!;
        DropFalseIgnoreCase(node);
        return node.ToJsonString();
    }

    private static void DropFalseIgnoreCase(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["ignoreCase"] is JsonValue v && v.GetValueKind() == JsonValueKind.False)
                {
                    o.Remove("ignoreCase");
                }

                foreach (var (_, child) in o.ToList())
                {
                    DropFalseIgnoreCase(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    DropFalseIgnoreCase(child);
                }

                break;
        }
    }

    // The kind's name as the registration table spells it, from the top level of its canonical form.
    private static string KindOf(string canonical)
    {
        var o = JsonNode.Parse(canonical)!.AsObject();
        var key = o.First().Key;
        return o["op"] is { } op ? $"{key} {op.GetValue<string>()}" : key;
    }
}
