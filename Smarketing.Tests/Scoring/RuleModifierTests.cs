using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Leads;
using Xunit;

namespace Smarketing.Tests.Scoring;

public sealed class RuleModifierTests
{
    private const string Webinar = """{ "activity": "attendedWebinar", "op": "occurred" }""";
    private const string Pricing = """{ "activity": "viewedPricingPage", "op": "occurred" }""";

    [Theory]
    [InlineData(1, 5)]
    [InlineData(3, 15)]
    [InlineData(4, 20)]
    [InlineData(10, 20)]
    public void Score_PerOccurrenceWithCap_MultipliesThenCaps(int count, int expected)
    {
        var sut = TestModels.SingleRule(Webinar, points: 5, extra: """, "perOccurrence": true, "cap": 20""");

        var result = sut.Score(TestLeads.WithActivity("attendedWebinar", count), TestLeads.Now);

        Assert.Equal(expected, result.Score);
        Assert.Equal(expected, result.Explanation[0].Points);
        Assert.True(result.Explanation[0].Fired);
    }

    [Fact]
    public void Score_NegativePerOccurrenceWithCap_CapsMagnitude()
    {
        var sut = TestModels.SingleRule("""{ "activity": "unsubscribed", "op": "occurred" }""", points: -15, extra: """, "perOccurrence": true, "cap": 40""");

        Assert.Equal(-40, sut.Score(TestLeads.WithActivity("unsubscribed", 5), TestLeads.Now).Score);
    }

    [Fact]
    public void Score_PerOccurrenceWithoutCap_Multiplies()
    {
        var sut = TestModels.SingleRule(Webinar, points: 5, extra: """, "perOccurrence": true""");

        Assert.Equal(50, sut.Score(TestLeads.WithActivity("attendedWebinar", 10), TestLeads.Now).Score);
    }

    [Fact]
    public void Score_DecayAtOneAndTwoHalfLives_HalvesThenQuarters()
    {
        var time = new FakeTimeProvider(TestLeads.Now);
        var sut = TestModels.SingleRule(Pricing, points: 40, extra: """, "halfLifeDays": 30""");
        var lead = TestLeads.WithActivity("viewedPricingPage", 1, time.GetUtcNow());

        var fresh = sut.Score(lead, time.GetUtcNow()).Score;
        time.Advance(TimeSpan.FromDays(30));
        var oneHalfLife = sut.Score(lead, time.GetUtcNow()).Score;
        time.Advance(TimeSpan.FromDays(30));
        var twoHalfLives = sut.Score(lead, time.GetUtcNow()).Score;

        Assert.Equal(40, fresh);
        Assert.Equal(20, oneHalfLife);
        Assert.Equal(10, twoHalfLives);
    }

    [Fact]
    public void Score_DecayToHalfPoint_RoundsAwayFromZero()
    {
        // 30 × 0.25 = 7.5 → 8; −30 × 0.25 = −7.5 → −8.
        var lead = TestLeads.WithActivity("viewedPricingPage", 1, TestLeads.Now.AddDays(-60));
        var positive = TestModels.SingleRule(Pricing, points: 30, extra: """, "halfLifeDays": 30""");
        var negative = TestModels.SingleRule(Pricing, points: -30, extra: """, "halfLifeDays": 30""");

        Assert.Equal(8, positive.Score(lead, TestLeads.Now).Score);
        Assert.Equal(-8, negative.Score(lead, TestLeads.Now).Score);
    }

    [Fact]
    public void Score_DecayWithoutTimestamp_KeepsFullPointsAndCachedLine()
    {
        var sut = TestModels.SingleRule(Pricing, points: 40, extra: """, "halfLifeDays": 30""");
        var lead = TestLeads.WithActivity("viewedPricingPage", 1);

        var first = sut.Score(lead, TestLeads.Now);
        var second = sut.Score(lead, TestLeads.Now.AddDays(90));

        Assert.Equal(40, first.Score);
        Assert.Same(first.Explanation[0], second.Explanation[0]);
    }

    [Fact]
    public void Score_DecayWithFutureTimestamp_KeepsFullPoints()
    {
        var sut = TestModels.SingleRule(Pricing, points: 40, extra: """, "halfLifeDays": 30""");

        Assert.Equal(40, sut.Score(TestLeads.WithActivity("viewedPricingPage", 1, TestLeads.Now.AddDays(2)), TestLeads.Now).Score);
    }

    [Fact]
    public void Score_CapThenDecay_FadesTheCappedPoints()
    {
        var sut = TestModels.SingleRule(Webinar, points: 10, extra: """, "perOccurrence": true, "cap": 40, "halfLifeDays": 14""");
        var lead = TestLeads.WithActivity("attendedWebinar", 6, TestLeads.Now.AddDays(-14));

        var result = sut.Score(lead, TestLeads.Now);

        Assert.Equal(20, result.Score);
        Assert.Equal("attendedWebinar occurred; 10 per occurrence, capped at 40, halving every 14 days", result.Explanation[0].Description);
    }

    [Fact]
    public void Score_DecayingRuleNotFired_IsZeroAndNotFired()
    {
        var sut = TestModels.SingleRule(Pricing, points: 40, extra: """, "halfLifeDays": 30""");

        var line = sut.Score(new LeadProfile(), TestLeads.Now).Explanation[0];

        Assert.False(line.Fired);
        Assert.Equal(0, line.Points);
    }

    [Fact]
    public void Score_DecayedLine_KeepsRuleIdAndDescription()
    {
        var sut = TestModels.SingleRule(Pricing, points: 40, extra: """, "halfLifeDays": 30, "description": "looked at pricing" """);

        var line = sut.Score(TestLeads.WithActivity("viewedPricingPage", 1, TestLeads.Now.AddDays(-30)), TestLeads.Now).Explanation[0];

        Assert.Equal("r", line.RuleId);
        Assert.Equal("looked at pricing", line.Description);
        Assert.Equal(20, line.Points);
    }
}
