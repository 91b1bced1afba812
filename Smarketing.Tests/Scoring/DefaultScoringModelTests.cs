using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Xunit;

namespace Smarketing.Tests.Scoring;

public sealed class DefaultScoringModelTests
{
    private static ScoringModel CreateSut() => ScoringModel.LoadDefault();

    [Fact]
    public void Score_ArticleLead_Is80AndMql()
    {
        var result = CreateSut().Score(TestLeads.Article(), TestLeads.Now);

        Assert.Equal(80, result.Score);
        Assert.True(result.IsMql);
        Assert.Equal(70, result.Threshold);
        Assert.Empty(result.MissingForMql);
        Assert.Equal(CreateSut().Version, result.ModelVersion);
    }

    [Fact]
    public void Score_ArticleLead_ExplainsAllFiveRulesFourFiredOneNot()
    {
        var result = CreateSut().Score(TestLeads.Article(), TestLeads.Now);

        Assert.Collection(
            result.Explanation,
            l => AssertLine(l, "industry-fit", 20, fired: true),
            l => AssertLine(l, "company-size", 15, fired: true),
            l => AssertLine(l, "viewed-pricing-page", 30, fired: true),
            l => AssertLine(l, "downloaded-case-study", 15, fired: true),
            l => AssertLine(l, "contacted-support", 0, fired: false));
        Assert.Equal(result.Score, result.Explanation.Where(l => l.Fired).Sum(l => l.Points));
        Assert.DoesNotContain(result.Explanation, l => l.IsGate);
    }

    [Fact]
    public void Score_ArticleLead_LinesDescribeTheirRules()
    {
        var lines = CreateSut().Score(TestLeads.Article(), TestLeads.Now).Explanation;

        Assert.Equal("industry in [SaaS, FinTech] (ignoring case)", lines[0].Description);
        Assert.Equal("companySize > 100", lines[1].Description);
        Assert.Equal("viewedPricingPage occurred", lines[2].Description);
    }

    [Fact]
    public void Score_ContactedSupport_SubtractsTen()
    {
        var lead = TestLeads.ArticleWhoContactedSupport();

        var result = CreateSut().Score(lead, TestLeads.Now);

        Assert.Equal(70, result.Score);
        Assert.False(result.IsMql);
        var support = Assert.Single(result.Explanation, l => l.RuleId == "contacted-support");
        Assert.True(support.Fired);
        Assert.Equal(-10, support.Points);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Score_MissingEmail_IsZeroWithGateNamed(string? email)
    {
        var lead = TestLeads.Article() with { Email = email };

        var result = CreateSut().Score(lead, TestLeads.Now);

        AssertGated(result);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Score_MissingPhone_IsZeroWithGateNamed(string? phone)
    {
        var lead = TestLeads.Article() with { Phone = phone };

        var result = CreateSut().Score(lead, TestLeads.Now);

        AssertGated(result);
    }

    [Fact]
    public void Score_NoEmailAndNoPhone_GateLineAppearsOnce()
    {
        var lead = TestLeads.Article() with { Email = null, Phone = null };

        var result = CreateSut().Score(lead, TestLeads.Now);

        AssertGated(result);
        Assert.Equal(new[] { "email", "phone" }, result.MissingForMql);
    }

    [Fact]
    public void Score_AboveThresholdWithoutIndustry_IsNotMqlAndNamesIndustry()
    {
        // Without industry the lead loses the industry rule too, so add behaviour to stay above 70.
        var model = ScoringModel.Load(TestModels.Json(
            """{ "id": "pricing", "when": { "activity": "viewedPricingPage", "op": "occurred" }, "points": 90 }""",
            requiredForMql: """["email", "phone", "industry", "companySize"]"""));
        var lead = TestLeads.Article() with { Industry = null };

        var result = model.Score(lead, TestLeads.Now);

        Assert.Equal(90, result.Score);
        Assert.False(result.IsMql);
        Assert.Equal(new[] { "industry" }, result.MissingForMql);
    }

    [Fact]
    public void Score_LeadWithoutCompanySize_NamesCompanySizeMissing()
    {
        var lead = TestLeads.Article() with
        {
            CompanySize = null,
            Activities = TestLeads.Activities(
                ("viewedPricingPage", ActivitySignal.FromFlag(true)),
                ("downloadedCaseStudy", ActivitySignal.FromFlag(true))),
            Attributes = TestLeads.Attributes(("unused", "x")),
        };

        var result = CreateSut().Score(lead, TestLeads.Now);

        Assert.Equal(65, result.Score);
        Assert.False(result.IsMql);
        Assert.Equal(new[] { "companySize" }, result.MissingForMql);
    }

    [Fact]
    public void Score_ExactlyAtThreshold_IsNotMql()
    {
        // 20 + 15 + 30 + 15 - 10 = 70 under the default model: on the threshold, not above it.
        var lead = TestLeads.ArticleWhoContactedSupport();

        var result = CreateSut().Score(lead, TestLeads.Now);

        Assert.Equal(70, result.Score);
        Assert.False(result.IsMql);
        Assert.Empty(result.MissingForMql);
    }

    [Fact]
    public void Score_OneAboveThreshold_IsMql()
    {
        var model = ScoringModel.Load(TestModels.Json(
            """{ "id": "size", "when": { "field": "companySize", "op": ">", "value": 0 }, "points": 71 }"""));

        Assert.True(model.Score(new LeadProfile { CompanySize = 5 }, TestLeads.Now).IsMql);
    }

    [Fact]
    public void Score_NothingMissing_ReusesSharedEmptyArray()
    {
        var first = CreateSut().Score(TestLeads.Article(), TestLeads.Now);
        var second = CreateSut().Score(TestLeads.Article(), TestLeads.Now);

        Assert.Same(Array.Empty<string>(), first.MissingForMql);
        Assert.Same(first.MissingForMql, second.MissingForMql);
    }

    [Fact]
    public void Score_FixedPointRules_ReuseCachedLines()
    {
        var first = CreateSut().Score(TestLeads.Article(), TestLeads.Now);
        var second = CreateSut().Score(TestLeads.Article() with { Email = "other@example.com" }, TestLeads.Now);

        for (var i = 0; i < first.Explanation.Count; i++)
        {
            Assert.Same(first.Explanation[i], second.Explanation[i]);
        }
    }

    [Fact]
    public void LoadDefault_Twice_ReturnsTheSameModel()
    {
        Assert.Same(ScoringModel.LoadDefault(), ScoringModel.LoadDefault());
    }

    [Fact]
    public void LoadDefault_Model_HasArticleThresholdAndRequiredFields()
    {
        var sut = CreateSut();

        Assert.Equal("smarketing-default", sut.Name);
        Assert.Equal(70, sut.Threshold);
        Assert.Equal(new[] { "email", "phone", "industry", "companySize" }, sut.RequiredForMql);
        Assert.Matches("^sha256:[0-9a-f]{16}$", sut.Version);
    }

    [Fact]
    public void Score_NullLead_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => CreateSut().Score(null!, TestLeads.Now));
    }

    private static void AssertGated(ScoreResult result)
    {
        Assert.Equal(0, result.Score);
        Assert.False(result.IsMql);
        var gate = Assert.Single(result.Explanation, l => l.IsGate);
        Assert.Equal("contact-data", gate.RuleId);
        Assert.Equal("no email or no phone", gate.Description);
        Assert.Equal(0, gate.Points);
        Assert.Same(gate, result.Explanation[^1]);
    }

    private static void AssertLine(ScoreLine line, string ruleId, int points, bool fired)
    {
        Assert.Equal(ruleId, line.RuleId);
        Assert.Equal(points, line.Points);
        Assert.Equal(fired, line.Fired);
        Assert.False(line.IsGate);
    }
}
