using Smarketing.Core.Scoring;
using Xunit;

namespace Smarketing.Tests.Scoring;

public sealed class ModelVersionTests
{
    private const string Model = """
        {
          "name": "m",
          "threshold": 70,
          "requiredForMql": ["email", "phone"],
          "rules": [
            { "id": "fit", "when": { "field": "industry", "op": "in", "values": ["SaaS", "FinTech"] }, "points": 20 },
            { "id": "pricing", "when": { "activity": "viewedPricingPage", "op": "occurred" }, "points": 30, "halfLifeDays": 30 }
          ],
          "gates": [ { "id": "contact", "reason": "no email", "when": { "field": "email", "op": "missing" } } ]
        }
        """;

    // The same model: reordered properties, other whitespace, a comment, a default spelled out, a field name in other case.
    private const string SameModelReformatted = """
        { "rules": [ { "points": 20, "id": "fit", "when": { "values": ["SaaS","FinTech"], "op": "in", "field": "Industry", "ignoreCase": false } },
                     { "halfLifeDays": 30.0, "perOccurrence": false, "points": 30, "when": { "op": "occurred", "activity": "viewedPricingPage" }, "id": "pricing" } ],
          /* same gate */
          "gates": [ { "when": { "op": "missing", "field": "email" }, "reason": "no email", "id": "contact" } ],
          "requiredForMql": ["email","phone"], "threshold": 70, "name": "m" }
        """;

    private static string VersionOf(string json) => ScoringModel.Load(json).Version;

    [Fact]
    public void Version_SameModelLoadedTwice_IsEqual()
    {
        Assert.Equal(VersionOf(Model), VersionOf(Model));
    }

    [Fact]
    public void Version_Format_IsSha256Prefix()
    {
        Assert.Matches("^sha256:[0-9a-f]{16}$", VersionOf(Model));
    }

    [Fact]
    public void Version_ReformattedAndReordered_IsEqual()
    {
        Assert.Equal(VersionOf(Model), VersionOf(SameModelReformatted));
    }

    [Theory]
    [InlineData("\"points\": 20", "\"points\": 21")]
    [InlineData("\"threshold\": 70", "\"threshold\": 71")]
    [InlineData("\"halfLifeDays\": 30", "\"halfLifeDays\": 31")]
    [InlineData("[\"SaaS\", \"FinTech\"]", "[\"SaaS\", \"FinTech\", \"HealthTech\"]")]
    [InlineData("\"op\": \"in\"", "\"op\": \"in\", \"ignoreCase\": true")]
    [InlineData("[\"email\", \"phone\"]", "[\"email\", \"phone\", \"industry\"]")]
    [InlineData("\"reason\": \"no email\"", "\"reason\": \"no e-mail\"")]
    [InlineData("\"id\": \"fit\"", "\"id\": \"industry-fit\"")]
    public void Version_AnyChange_ChangesIt(string from, string to)
    {
        var changed = Model.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Model, changed);

        Assert.NotEqual(VersionOf(Model), VersionOf(changed));
    }

    [Fact]
    public void Version_RuleAdded_ChangesIt()
    {
        var changed = Model.Replace(
            "\"rules\": [",
            "\"rules\": [ { \"id\": \"size\", \"when\": { \"field\": \"companySize\", \"op\": \">\", \"value\": 100 }, \"points\": 15 },",
            StringComparison.Ordinal);

        Assert.NotEqual(VersionOf(Model), VersionOf(changed));
    }

    [Fact]
    public void Version_RulesReordered_ChangesIt()
    {
        // Rule order is explanation order, so it is part of the model.
        var fit = """{ "id": "fit", "when": { "field": "industry", "op": "in", "values": ["SaaS", "FinTech"] }, "points": 20 }""";
        var pricing = """{ "id": "pricing", "when": { "activity": "viewedPricingPage", "op": "occurred" }, "points": 30, "halfLifeDays": 30 }""";

        Assert.NotEqual(
            VersionOf(TestModels.Json(fit + "," + pricing)),
            VersionOf(TestModels.Json(pricing + "," + fit)));
    }

    [Fact]
    public void Version_DefaultModel_IsStableAcrossLoads()
    {
        Assert.Equal(ScoringModel.LoadDefault().Version, ScoringModel.LoadDefault().Version);
        Assert.NotEqual(VersionOf(Model), ScoringModel.LoadDefault().Version);
    }
}
