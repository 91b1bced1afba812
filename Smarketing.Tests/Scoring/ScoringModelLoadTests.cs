using Smarketing.Core.Scoring;
using Xunit;

namespace Smarketing.Tests.Scoring;

public sealed class ScoringModelLoadTests
{
    private const string GoodRule = """{ "id": "size", "when": { "field": "companySize", "op": ">", "value": 100 }, "points": 15 }""";

    private static ScoringModelException LoadFails(string json) => Assert.Throws<ScoringModelException>(() => ScoringModel.Load(json));

    private static ScoringModelException RuleFails(string rule) => LoadFails(TestModels.Json(GoodRule + ", " + rule));

    [Fact]
    public void Load_UnknownOperator_NamesRuleIndexIdAndField()
    {
        var ex = RuleFails("""{ "id": "pricing", "when": { "activity": "viewedPricingPage", "op": "happened" }, "points": 30 }""");

        var problem = Assert.Single(ex.Problems);
        Assert.StartsWith("rules[1] 'pricing': when.op: unknown operator 'happened'", problem);
        Assert.Contains("occurred", problem);
        Assert.Contains("rules[1] 'pricing'", ex.Message);
    }

    [Fact]
    public void Load_MissingPoints_NamesRuleAndField()
    {
        var ex = RuleFails("""{ "id": "pricing", "when": { "activity": "viewedPricingPage", "op": "occurred" } }""");

        Assert.Equal("rules[1] 'pricing': points: is required", Assert.Single(ex.Problems));
    }

    [Theory]
    [InlineData("\"thirty\"", "a string (\"thirty\")")]
    [InlineData("30.5", "a number (30.5)")]
    [InlineData("true", "a boolean (true)")]
    public void Load_PointsOfWrongType_NamesRuleAndField(string points, string got)
    {
        var ex = RuleFails($$"""{ "id": "pricing", "when": { "activity": "viewedPricingPage", "op": "occurred" }, "points": {{points}} }""");

        Assert.Equal($"rules[1] 'pricing': points: expected a whole number, got {got}", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_ValueOfWrongType_NamesConditionPath()
    {
        var ex = RuleFails("""{ "id": "big", "when": { "all": [ { "field": "industry", "op": "present" }, { "field": "companySize", "op": ">", "value": "100" } ] }, "points": 5 }""");

        Assert.Equal("rules[1] 'big': when.all[1].value: expected a number, got a string (\"100\")", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_NumericOperatorOnTextField_IsRejected()
    {
        var ex = RuleFails("""{ "id": "x", "when": { "field": "industry", "op": ">", "value": 3 }, "points": 5 }""");

        Assert.StartsWith("rules[1] 'x': when.op: '>' compares numbers and 'industry' is text", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_TextOperatorOnCompanySize_IsRejected()
    {
        var ex = RuleFails("""{ "id": "x", "when": { "field": "companySize", "op": "equals", "value": "100" }, "points": 5 }""");

        Assert.StartsWith("rules[1] 'x': when.op: 'equals' compares text and 'companySize' is a number", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_FieldOperatorOnActivity_IsRejected()
    {
        var ex = RuleFails("""{ "id": "x", "when": { "activity": "viewedPricingPage", "op": "present" }, "points": 5 }""");

        Assert.StartsWith("rules[1] 'x': when.op: 'present' applies to a field", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_BadJsonSyntax_NamesLine()
    {
        var ex = LoadFails("{\n  \"name\": \"m\",\n  \"threshold\": 70,,\n}");

        var problem = Assert.Single(ex.Problems);
        Assert.StartsWith("model: invalid JSON at line 3", problem);
    }

    [Fact]
    public void Load_DuplicateRuleId_NamesBothRules()
    {
        var ex = RuleFails("""{ "id": "size", "when": { "field": "companySize", "op": ">", "value": 1000 }, "points": 5 }""");

        Assert.Equal("rules[1] 'size': id: duplicate id 'size', already used by rules[0]", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_GateIdDuplicatingRuleId_IsRejected()
    {
        var ex = LoadFails(TestModels.Json(GoodRule, gates: """{ "id": "size", "reason": "r", "when": { "field": "email", "op": "missing" } }"""));

        Assert.Equal("gates[0] 'size': id: duplicate id 'size', already used by rules[0]", Assert.Single(ex.Problems));
    }

    [Theory]
    [InlineData("-7", "must be greater than 0, got -7")]
    [InlineData("0", "must be greater than 0, got 0")]
    [InlineData("\"30\"", "expected a number, got a string (\"30\")")]
    public void Load_BadHalfLife_NamesRuleAndField(string halfLife, string message)
    {
        var ex = RuleFails($$"""{ "id": "pricing", "when": { "activity": "viewedPricingPage", "op": "occurred" }, "points": 30, "halfLifeDays": {{halfLife}} }""");

        Assert.Equal($"rules[1] 'pricing': halfLifeDays: {message}", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_DecayOnFieldRule_IsRejected()
    {
        var ex = RuleFails("""{ "id": "x", "when": { "field": "industry", "op": "present" }, "points": 5, "halfLifeDays": 30 }""");

        Assert.StartsWith("rules[1] 'x': when: perOccurrence and halfLifeDays need", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_CapWithoutPerOccurrence_IsRejected()
    {
        var ex = RuleFails("""{ "id": "x", "when": { "activity": "a", "op": "occurred" }, "points": 5, "cap": 10 }""");

        Assert.StartsWith("rules[1] 'x': cap: applies only to a rule with \"perOccurrence\": true", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_NonPositiveCap_IsRejected()
    {
        var ex = RuleFails("""{ "id": "x", "when": { "activity": "a", "op": "occurred" }, "points": 5, "perOccurrence": true, "cap": 0 }""");

        Assert.StartsWith("rules[1] 'x': cap: must be greater than 0", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_UnknownProperty_IsRejectedWithKnownOnes()
    {
        var ex = RuleFails("""{ "id": "x", "when": { "activity": "a", "op": "occurred" }, "ponits": 5 }""");

        Assert.Equal(2, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.StartsWith("rules[1] 'x': ponits: unknown property; expected one of: id, description, when, points", StringComparison.Ordinal));
        Assert.Contains("rules[1] 'x': points: is required", ex.Problems);
    }

    [Fact]
    public void Load_RuleWithoutId_IsNamedByIndex()
    {
        var ex = RuleFails("""{ "when": { "activity": "a", "op": "occurred" }, "points": 5 }""");

        Assert.Equal("rules[1]: id: is required", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_SeveralProblems_ListsEveryOne()
    {
        var json = """
            {
              "name": "m",
              "threshold": "high",
              "rules": [
                { "id": "a", "when": { "field": "industry", "op": "like", "value": "SaaS" }, "points": 20 },
                { "id": "b", "when": { "activity": "viewedPricingPage", "op": "occurred" } },
                { "id": "a", "when": { "activity": "x", "op": "withinDays", "value": -1 }, "points": 1 }
              ],
              "gates": [ { "id": "g", "when": { "field": "email", "op": "missing" } } ]
            }
            """;

        var ex = LoadFails(json);

        Assert.Equal(
            [
                "model: threshold: expected a whole number, got a string (\"high\")",
                "rules[0] 'a': when.op: unknown operator 'like'; expected one of: equals, in, present, missing, >, >=, <, <=, ==, !=, between, occurred, withinDays",
                "rules[1] 'b': points: is required",
                "rules[2] 'a': id: duplicate id 'a', already used by rules[0]",
                "rules[2] 'a': when.value: a number of days greater than 0, got -1",
                "gates[0] 'g': reason: is required",
            ],
            ex.Problems);
        Assert.StartsWith("Invalid scoring model (6 problems):", ex.Message);
        foreach (var problem in ex.Problems)
        {
            Assert.Contains(problem, ex.Message);
        }
    }

    [Theory]
    [InlineData("""{ "field": "industry", "op": "in", "values": [] }""", "when.values: needs at least one value")]
    [InlineData("""{ "field": "industry", "op": "in", "values": ["SaaS", 3] }""", "when.values[1]: expected a string, got a number (3)")]
    [InlineData("""{ "field": "industry", "op": "equals" }""", "when.value: is required")]
    [InlineData("""{ "field": "email", "op": "present", "value": "x" }""", "when.value: not used by operator 'present'")]
    [InlineData("""{ "field": "companySize", "op": "between", "min": 10 }""", "when.max: is required")]
    [InlineData("""{ "field": "companySize", "op": "between", "min": 10, "max": 5 }""", "when.min: 10 is greater than max 5")]
    [InlineData("""{ "field": "companySize", "op": ">", "value": 1, "ignoreCase": true }""", "when.ignoreCase: not used by operator '>'")]
    [InlineData("""{ "field": "", "op": "present" }""", "when.field: must not be blank")]
    [InlineData("""{ "any": [] }""", "when.any: needs at least one condition")]
    [InlineData("""{ "field": "email", "activity": "x", "op": "present" }""", "when: a condition has exactly one of: field, activity, all, any, not; found field and activity")]
    [InlineData("""{ "op": "present" }""", "when: a condition needs exactly one of: field, activity, all, any, not")]
    [InlineData("""[ "email" ]""", "when: expected a condition (a JSON object), got an array")]
    [InlineData("""{ "not": { "field": "email", "op": "exists" } }""", "when.not.op: unknown operator 'exists'; expected one of: equals, in, present, missing, >, >=, <, <=, ==, !=, between, occurred, withinDays")]
    [InlineData("""{ "field": "email", "op": "occurred" }""", "when.op: 'occurred' applies to an activity, not a field; write { \"activity\": \"email\", \"op\": \"occurred\" } if 'email' is an activity")]
    public void Load_BadCondition_NamesRuleAndPath(string when, string expected)
    {
        var ex = RuleFails($$"""{ "id": "c", "when": {{when}}, "points": 1 }""");

        Assert.Equal("rules[1] 'c': " + expected, Assert.Single(ex.Problems));
    }

    [Theory]
    [InlineData("[]", "model: expected the scoring model (a JSON object), got an array")]
    [InlineData("""{ "name": "m", "threshold": 70, "rules": [] }""", "model: rules: a model needs at least one rule")]
    [InlineData("""{ "threshold": 70, "rules": [ { "id": "a", "when": { "field": "email", "op": "present" }, "points": 1 } ] }""", "model: name: is required")]
    [InlineData("""{ "name": "m", "threshold": 70, "requiredForMql": ["email", "EMAIL"], "rules": [ { "id": "a", "when": { "field": "email", "op": "present" }, "points": 1 } ] }""", "model: requiredForMql[1]: 'email' is listed twice")]
    [InlineData("""{ "name": "m", "name": "n", "threshold": 70, "rules": [ { "id": "a", "when": { "field": "email", "op": "present" }, "points": 1 } ] }""", "model: name: appears twice")]
    public void Load_BadModel_NamesProblem(string json, string expected)
    {
        Assert.Equal(expected, Assert.Single(LoadFails(json).Problems));
    }

    [Fact]
    public void Load_CommentsAndTrailingCommas_AreAccepted()
    {
        var json = """
            {
              // hand-edited
              "name": "m",
              "threshold": 70,
              "rules": [
                { "id": "a", "when": { "field": "email", "op": "present" }, "points": 1 },
              ],
            }
            """;

        Assert.Equal("m", ScoringModel.Load(json).Name);
    }

    [Fact]
    public void Load_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ScoringModel.Load(null!));
    }

    [Fact]
    public void ScoringModelException_IsAFormatException()
    {
        Assert.IsAssignableFrom<FormatException>(LoadFails("nope"));
    }
}
