using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Xunit;

namespace Smarketing.Tests.Scoring;

public sealed class ConditionTests
{
    private static int ScoreOf(string when, LeadProfile lead, DateTimeOffset? now = null) =>
        TestModels.SingleRule(when, points: 10).Score(lead, now ?? TestLeads.Now).Score;

    [Theory]
    [InlineData("SaaS", 10)]
    [InlineData("saas", 0)]
    [InlineData("Retail", 0)]
    [InlineData(null, 0)]
    public void Score_EqualsCaseSensitive_MatchesExactText(string? industry, int expected)
    {
        var when = """{ "field": "industry", "op": "equals", "value": "SaaS" }""";

        Assert.Equal(expected, ScoreOf(when, new LeadProfile { Industry = industry }));
    }

    [Theory]
    [InlineData("SaaS", 10)]
    [InlineData("saas", 10)]
    [InlineData("SAAS", 10)]
    [InlineData("Retail", 0)]
    public void Score_EqualsIgnoreCase_MatchesAnyCase(string industry, int expected)
    {
        var when = """{ "field": "industry", "op": "equals", "value": "SaaS", "ignoreCase": true }""";

        Assert.Equal(expected, ScoreOf(when, new LeadProfile { Industry = industry }));
    }

    [Theory]
    [InlineData("FinTech", false, 10)]
    [InlineData("fintech", false, 0)]
    [InlineData("fintech", true, 10)]
    [InlineData("Retail", true, 0)]
    public void Score_In_MatchesAnyListedValue(string industry, bool ignoreCase, int expected)
    {
        var when = $$"""{ "field": "industry", "op": "in", "values": ["SaaS", "FinTech"], "ignoreCase": {{(ignoreCase ? "true" : "false")}} }""";

        Assert.Equal(expected, ScoreOf(when, new LeadProfile { Industry = industry }));
    }

    [Theory]
    [InlineData("Retail", false, 10)]
    [InlineData("retail", false, 0)]
    [InlineData("retail", true, 10)]
    [InlineData("Mining", true, 0)]
    public void Score_InWithLongList_MatchesAnyListedValue(string industry, bool ignoreCase, int expected)
    {
        var values = "\"SaaS\", \"FinTech\", \"HealthTech\", \"EdTech\", \"Media\", \"Retail\", \"Logistics\", \"Energy\", \"Telecom\", \"Travel\"";
        var when = $$"""{ "field": "industry", "op": "in", "values": [{{values}}], "ignoreCase": {{(ignoreCase ? "true" : "false")}} }""";

        Assert.Equal(expected, ScoreOf(when, new LeadProfile { Industry = industry }));
    }

    [Theory]
    [InlineData(">", 100, 101, 10)]
    [InlineData(">", 100, 100, 0)]
    [InlineData(">=", 100, 100, 10)]
    [InlineData(">=", 100, 99, 0)]
    [InlineData("<", 50, 49, 10)]
    [InlineData("<", 50, 50, 0)]
    [InlineData("<=", 50, 50, 10)]
    [InlineData("<=", 50, 51, 0)]
    [InlineData("==", 42, 42, 10)]
    [InlineData("==", 42, 43, 0)]
    [InlineData("!=", 42, 43, 10)]
    [InlineData("!=", 42, 42, 0)]
    public void Score_NumericComparison_ComparesCompanySize(string op, int operand, int size, int expected)
    {
        var when = $$"""{ "field": "companySize", "op": "{{op}}", "value": {{operand}} }""";

        Assert.Equal(expected, ScoreOf(when, new LeadProfile { CompanySize = size }));
    }

    [Theory]
    [InlineData(">")]
    [InlineData("<")]
    [InlineData("!=")]
    public void Score_NumericComparisonWithoutValue_DoesNotFire(string op)
    {
        var when = $$"""{ "field": "companySize", "op": "{{op}}", "value": 100 }""";

        Assert.Equal(0, ScoreOf(when, new LeadProfile()));
    }

    [Theory]
    [InlineData(49, 0)]
    [InlineData(50, 10)]
    [InlineData(200, 10)]
    [InlineData(201, 0)]
    public void Score_Between_IsInclusive(int size, int expected)
    {
        var when = """{ "field": "companySize", "op": "between", "min": 50, "max": 200 }""";

        Assert.Equal(expected, ScoreOf(when, new LeadProfile { CompanySize = size }));
    }

    [Theory]
    [InlineData("250000.5", 10)]
    [InlineData("99", 0)]
    [InlineData("lots", 0)]
    public void Score_NumericComparisonOnAttribute_ParsesInvariantNumber(string revenue, int expected)
    {
        var when = """{ "field": "annualRevenue", "op": ">=", "value": 100000 }""";
        var lead = new LeadProfile { Attributes = TestLeads.Attributes(("annualRevenue", revenue)) };

        Assert.Equal(expected, ScoreOf(when, lead));
    }

    [Fact]
    public void Score_EqualsOnAttribute_ReadsAttributes()
    {
        var when = """{ "field": "Seniority", "op": "equals", "value": "VP", "ignoreCase": true }""";
        var lead = new LeadProfile { Attributes = TestLeads.Attributes(("seniority", "vp")) };

        Assert.Equal(10, ScoreOf(when, lead));
    }

    [Theory]
    [InlineData("EMAIL")]
    [InlineData("Email")]
    [InlineData("email")]
    public void Score_KnownFieldName_MatchesCaseInsensitively(string field)
    {
        var when = $$"""{ "field": "{{field}}", "op": "present" }""";

        Assert.Equal(10, ScoreOf(when, new LeadProfile { Email = "a@b.c" }));
    }

    [Theory]
    [InlineData("a@b.c", 10)]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData(" ", 0)]
    public void Score_Present_NeedsNonBlankValue(string? email, int expected)
    {
        Assert.Equal(expected, ScoreOf("""{ "field": "email", "op": "present" }""", new LeadProfile { Email = email }));
    }

    [Theory]
    [InlineData("a@b.c", 0)]
    [InlineData(null, 10)]
    [InlineData(" ", 10)]
    public void Score_Missing_FiresForNullOrBlank(string? email, int expected)
    {
        Assert.Equal(expected, ScoreOf("""{ "field": "email", "op": "missing" }""", new LeadProfile { Email = email }));
    }

    [Fact]
    public void Score_PresentOnCompanySizeAndAttribute_ChecksValue()
    {
        Assert.Equal(10, ScoreOf("""{ "field": "companySize", "op": "present" }""", new LeadProfile { CompanySize = 0 }));
        Assert.Equal(0, ScoreOf("""{ "field": "companySize", "op": "present" }""", new LeadProfile()));
        Assert.Equal(10, ScoreOf("""{ "field": "region", "op": "missing" }""", new LeadProfile()));
        Assert.Equal(0, ScoreOf("""{ "field": "region", "op": "missing" }""", new LeadProfile { Attributes = TestLeads.Attributes(("region", "EMEA")) }));
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(0, 0)]
    public void Score_Occurred_FollowsCount(int count, int expected)
    {
        var when = """{ "activity": "viewedPricingPage", "op": "occurred" }""";

        Assert.Equal(expected, ScoreOf(when, TestLeads.WithActivity("viewedPricingPage", count)));
    }

    [Fact]
    public void Score_OccurredWithAbsentActivity_DoesNotFire()
    {
        Assert.Equal(0, ScoreOf("""{ "activity": "viewedPricingPage", "op": "occurred" }""", new LeadProfile()));
    }

    [Fact]
    public void Score_OccurredActivityName_MatchesCaseInsensitively()
    {
        var when = """{ "activity": "ViewedPricingPage", "op": "occurred" }""";

        Assert.Equal(10, ScoreOf(when, TestLeads.WithActivity("viewedpricingpage", 1)));
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 10)]
    [InlineData(7, 10)]
    public void Score_CountAtLeast_NeedsNOccurrences(int count, int expected)
    {
        var when = """{ "activity": "attendedWebinar", "op": ">=", "value": 3 }""";

        Assert.Equal(expected, ScoreOf(when, TestLeads.WithActivity("attendedWebinar", count)));
    }

    [Fact]
    public void Score_CountBetweenWithAbsentActivity_ComparesZero()
    {
        var when = """{ "activity": "attendedWebinar", "op": "between", "min": 0, "max": 1 }""";

        Assert.Equal(10, ScoreOf(when, new LeadProfile()));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(6.9, 10)]
    [InlineData(7, 10)]
    [InlineData(7.01, 0)]
    [InlineData(30, 0)]
    public void Score_WithinDays_FiresOnlyInsideWindow(double daysAgo, int expected)
    {
        var lead = TestLeads.WithActivity("viewedPricingPage", 1, TestLeads.Now.AddDays(-daysAgo));
        var when = """{ "activity": "viewedPricingPage", "op": "withinDays", "value": 7 }""";

        Assert.Equal(expected, ScoreOf(when, lead));
    }

    [Fact]
    public void Score_WithinDaysAsClockAdvances_StopsFiringAfterWindow()
    {
        var time = new FakeTimeProvider(TestLeads.Now);
        var sut = TestModels.SingleRule("""{ "activity": "viewedPricingPage", "op": "withinDays", "value": 7 }""");
        var lead = TestLeads.WithActivity("viewedPricingPage", 1, time.GetUtcNow());

        time.Advance(TimeSpan.FromDays(6));
        var inside = sut.Score(lead, time.GetUtcNow());
        time.Advance(TimeSpan.FromDays(2));
        var outside = sut.Score(lead, time.GetUtcNow());

        Assert.Equal(10, inside.Score);
        Assert.Equal(0, outside.Score);
        Assert.False(outside.Explanation[0].Fired);
    }

    [Fact]
    public void Score_WithinDaysWithoutTimestamp_DoesNotFire()
    {
        var when = """{ "activity": "viewedPricingPage", "op": "withinDays", "value": 7 }""";

        Assert.Equal(0, ScoreOf(when, TestLeads.WithActivity("viewedPricingPage", 1)));
    }

    [Fact]
    public void Score_WithinDaysTimestampInFuture_Fires()
    {
        var when = """{ "activity": "viewedPricingPage", "op": "withinDays", "value": 7 }""";

        Assert.Equal(10, ScoreOf(when, TestLeads.WithActivity("viewedPricingPage", 1, TestLeads.Now.AddMinutes(5))));
    }

    [Theory]
    [InlineData("SaaS", 500, 10)]
    [InlineData("SaaS", 50, 0)]
    [InlineData("Retail", 500, 0)]
    public void Score_All_NeedsEveryCondition(string industry, int size, int expected)
    {
        var when = """
            { "all": [
                { "field": "industry", "op": "equals", "value": "SaaS" },
                { "field": "companySize", "op": ">", "value": 100 } ] }
            """;

        Assert.Equal(expected, ScoreOf(when, new LeadProfile { Industry = industry, CompanySize = size }));
    }

    [Theory]
    [InlineData("SaaS", 50, 10)]
    [InlineData("Retail", 500, 10)]
    [InlineData("Retail", 50, 0)]
    public void Score_Any_NeedsOneCondition(string industry, int size, int expected)
    {
        var when = """
            { "any": [
                { "field": "industry", "op": "equals", "value": "SaaS" },
                { "field": "companySize", "op": ">", "value": 100 } ] }
            """;

        Assert.Equal(expected, ScoreOf(when, new LeadProfile { Industry = industry, CompanySize = size }));
    }

    [Fact]
    public void Score_Not_Inverts()
    {
        var when = """{ "not": { "field": "country", "op": "in", "values": ["US", "CA"] } }""";

        Assert.Equal(10, ScoreOf(when, new LeadProfile { Country = "DE" }));
        Assert.Equal(0, ScoreOf(when, new LeadProfile { Country = "US" }));
    }

    [Fact]
    public void Score_Gate_AllOfMissingFields_FiresOnlyWhenAllMissing()
    {
        var gate = """
            { "id": "unreachable", "reason": "no email and no phone",
              "when": { "all": [ { "field": "email", "op": "missing" }, { "field": "phone", "op": "missing" } ] } }
            """;
        var sut = ScoringModel.Load(TestModels.Json(
            """{ "id": "size", "when": { "field": "companySize", "op": ">", "value": 0 }, "points": 50 }""", gates: gate));

        var onlyPhone = sut.Score(new LeadProfile { CompanySize = 10, Phone = "1" }, TestLeads.Now);
        var neither = sut.Score(new LeadProfile { CompanySize = 10 }, TestLeads.Now);

        Assert.Equal(50, onlyPhone.Score);
        Assert.Equal(0, neither.Score);
        Assert.Equal("no email and no phone", Assert.Single(neither.Explanation, l => l.IsGate).Description);
    }

    [Fact]
    public void Score_GatedLeadAboveNegativeThreshold_IsNotMql()
    {
        var sut = ScoringModel.Load(TestModels.Json(
            """{ "id": "size", "when": { "field": "companySize", "op": ">", "value": 0 }, "points": 50 }""",
            threshold: -5,
            gates: """{ "id": "g", "reason": "no email", "when": { "field": "email", "op": "missing" } }"""));

        var result = sut.Score(new LeadProfile { CompanySize = 10 }, TestLeads.Now);

        Assert.Equal(0, result.Score);
        Assert.False(result.IsMql);
    }

    [Fact]
    public void Score_ActivityUsedByRuleAndGate_IsReadConsistently()
    {
        var sut = ScoringModel.Load(TestModels.Json(
            """
            { "id": "once", "when": { "activity": "visited", "op": "occurred" }, "points": 10 },
            { "id": "often", "when": { "activity": "visited", "op": ">=", "value": 3 }, "points": 5, "perOccurrence": true },
            { "id": "has-email", "when": { "field": "email", "op": "present" }, "points": 1 }
            """,
            requiredForMql: """["email"]""",
            gates: """{ "id": "bot", "reason": "more than 100 visits", "when": { "activity": "visited", "op": ">", "value": 100 } }"""));

        var human = sut.Score(TestLeads.WithActivity("visited", 4) with { Email = "a@b.c" }, TestLeads.Now);
        var bot = sut.Score(TestLeads.WithActivity("visited", 101), TestLeads.Now);

        Assert.Equal(10 + 20 + 1, human.Score);
        Assert.Empty(human.MissingForMql);
        Assert.Equal(0, bot.Score);
        Assert.Equal(new[] { "email" }, bot.MissingForMql);
        Assert.Equal("more than 100 visits", Assert.Single(bot.Explanation, l => l.IsGate).Description);
    }
}
