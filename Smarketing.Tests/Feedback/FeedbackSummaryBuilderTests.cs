using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Feedback;
using Smarketing.Core.Leads;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>The summary's arithmetic on hand-built rows: windows, attribution, rates, ordering, top reasons.</summary>
public sealed class FeedbackSummaryBuilderTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly LifecyclePolicy Policy = new(LifecycleOptions.CreateDefault(), new FakeTimeProvider(Day));

    [Fact]
    public void Window_FromInclusiveToExclusive()
    {
        var builder = CreateSut(Day, Day.AddDays(1));
        builder.AddLead(Lead("at-from", "c", (LeadStatus.Mql, Day)));
        builder.AddLead(Lead("just-before-to", "c", (LeadStatus.Mql, Day.AddDays(1).AddTicks(-1))));
        builder.AddLead(Lead("at-to", "c", (LeadStatus.Mql, Day.AddDays(1))));
        builder.AddLead(Lead("before-from", "c", (LeadStatus.Mql, Day.AddTicks(-1))));
        builder.AddDisqualification(Row("at-from", "c", "NOT_A_FIT", "fit", Day));
        builder.AddDisqualification(Row("at-to", "c", "NOT_A_FIT", "fit", Day.AddDays(1)));

        var summary = builder.Build();

        var campaign = Assert.Single(summary.Campaigns);
        Assert.Equal((2, 1, 0.5), (campaign.Mqls, campaign.Disqualifications, campaign.DisqualificationRate));
    }

    [Fact]
    public void RecycledLead_EachMqlCounted()
    {
        var builder = CreateSut(Day, Day.AddDays(30));
        builder.AddLead(Lead(
            "recycled",
            "c",
            (LeadStatus.Mql, Day),
            (LeadStatus.Disqualified, Day.AddDays(1)),
            (LeadStatus.New, Day.AddDays(20)),
            (LeadStatus.Mql, Day.AddDays(20)),
            (LeadStatus.Sal, Day.AddDays(21))));

        var campaign = Assert.Single(builder.Build().Campaigns);

        Assert.Equal((2, 1), (campaign.Mqls, campaign.Sals));
    }

    [Fact]
    public void Attribution_MqlSnapshotCampaignOverLatestCampaign_ElseLatest_ElseNone()
    {
        var builder = CreateSut(Day, Day.AddDays(1));
        var snapshot = WithCampaign(Lead("snap", "spring-webinar", (LeadStatus.Mql, Day)), "autumn-ebook");
        var noCampaign = WithCampaign(Lead("none", null, (LeadStatus.Mql, Day)), null);
        builder.AddLead(snapshot);
        builder.AddLead(noCampaign);

        var campaigns = builder.Build().Campaigns.Select(c => c.Campaign).Order(StringComparer.Ordinal);

        Assert.Equal(["(none)", "spring-webinar"], campaigns);
    }

    [Fact]
    public void Rate_RoundedToFourDecimals_NullWithoutMqls()
    {
        var builder = CreateSut(Day, Day.AddDays(1));
        foreach (var i in Enumerable.Range(0, 3))
        {
            builder.AddLead(Lead($"a{i}", "thirds", (LeadStatus.Mql, Day)));
        }

        builder.AddDisqualification(Row("a0", "thirds", "NOT_A_FIT", "fit", Day));
        builder.AddDisqualification(Row("a1", "thirds", "NOT_A_FIT", "fit", Day));
        builder.AddDisqualification(Row("x", "no-mqls", "BAD_DATA", "data-quality", Day));

        var campaigns = builder.Build().Campaigns.ToDictionary(c => c.Campaign!);

        Assert.Equal(0.6667, campaigns["thirds"].DisqualificationRate);
        Assert.Null(campaigns["no-mqls"].DisqualificationRate);
    }

    [Fact]
    public void Campaigns_HighestRateFirst_ThenMostDisqualifications_ThenName_NoRateLast()
    {
        var builder = CreateSut(Day, Day.AddDays(1));
        void Campaign(string name, int mqls, int disqualifications)
        {
            foreach (var i in Enumerable.Range(0, mqls))
            {
                builder.AddLead(Lead($"{name}-{i}", name, (LeadStatus.Mql, Day)));
            }

            foreach (var i in Enumerable.Range(0, disqualifications))
            {
                builder.AddDisqualification(Row($"{name}-{i}", name, "NOT_A_FIT", "fit", Day));
            }
        }

        Campaign("b-half-of-two", 2, 1);
        Campaign("a-half-of-four", 4, 2);
        Campaign("c-half-of-two", 2, 1);
        Campaign("z-all", 1, 1);
        Campaign("m-none", 0, 3);

        var order = builder.Build().Campaigns.Select(c => c.Campaign);

        Assert.Equal(["z-all", "a-half-of-four", "b-half-of-two", "c-half-of-two", "m-none"], order);
    }

    [Fact]
    public void TopReasons_MostFrequentFirstTiesByCode_CutToTop_CategoriesFromTheLatestRow()
    {
        var builder = CreateSut(Day, Day.AddDays(1), top: 2);
        builder.AddDisqualification(Row("1", "c", "UNRESPONSIVE", "unresponsive", Day));
        builder.AddDisqualification(Row("2", "c", "BAD_DATA", "data-quality", Day.AddHours(1)));
        builder.AddDisqualification(Row("3", "c", "BAD_DATA", "data", Day));
        builder.AddDisqualification(Row("4", "c", "NOT_A_FIT", "fit", Day));
        builder.AddDisqualification(Row("5", "c", "NOT_A_FIT", "fit", Day));

        var campaign = Assert.Single(builder.Build().Campaigns);

        Assert.Equal([("BAD_DATA", "data-quality", 2), ("NOT_A_FIT", "fit", 2)], campaign.TopReasons.Select(r => (r.Code, r.Category, r.Count)));
        Assert.Equal("Contact data wrong or fake", campaign.TopReasons[0].Label);
        Assert.Equal(new Dictionary<string, int> { ["data-quality"] = 2, ["fit"] = 2, ["unresponsive"] = 1 }, campaign.ByCategory);
    }

    [Fact]
    public void CampaignFilter_OtherCampaignsIgnoredEvenIfTheStoreReturnsThem()
    {
        var builder = CreateSut(Day, Day.AddDays(1), campaign: "wanted");
        builder.AddLead(Lead("1", "wanted", (LeadStatus.Mql, Day)));
        builder.AddLead(Lead("2", "other", (LeadStatus.Mql, Day)));
        builder.AddDisqualification(Row("2", "other", "NOT_A_FIT", "fit", Day));

        var summary = builder.Build();

        Assert.Equal("wanted", Assert.Single(summary.Campaigns).Campaign);
        Assert.Equal((1, 0), (summary.Totals.Mqls, summary.Totals.Disqualifications));
    }

    [Fact]
    public void LostDeals_CountedWithTheirReasons()
    {
        var builder = CreateSut(Day, Day.AddDays(1));
        builder.AddLead(LeadWithReasons("1", "c", (LeadStatus.Mql, Day, null), (LeadStatus.Sal, Day, null), (LeadStatus.Sql, Day, null), (LeadStatus.ClosedLost, Day, "NO_DECISION")));
        builder.AddLead(Lead("2", "c", (LeadStatus.Mql, Day), (LeadStatus.Sal, Day), (LeadStatus.Sql, Day), (LeadStatus.ClosedWon, Day)));

        var campaign = Assert.Single(builder.Build().Campaigns);

        Assert.Equal((2, 2, 2, 1, 1), (campaign.Mqls, campaign.Sals, campaign.Sqls, campaign.Wins, campaign.Losses));
        var lost = Assert.Single(campaign.TopLossReasons);
        Assert.Equal(("NO_DECISION", "No decision", "timing", 1), (lost.Code, lost.Label, lost.Category, lost.Count));
    }

    [Theory]
    [InlineData(new long[] { 7 }, 7, 7)]
    [InlineData(new long[] { 1, 2, 3 }, 2, 3)]
    [InlineData(new long[] { 10, 20, 30, 40 }, 20, 40)]
    [InlineData(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 5, 9)]
    [InlineData(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, 6, 10)]
    public void NearestRank_AscendingTimes_TheMeasuredTimeAtRankCeilingOfPTimesN(long[] sorted, long p50, long p90)
    {
        Assert.Equal((p50, p90), (SpeedToLeadSummary.NearestRank(sorted, 50), SpeedToLeadSummary.NearestRank(sorted, 90)));
        Assert.Equal(sorted[0], SpeedToLeadSummary.NearestRank(sorted, 1));
        Assert.Equal(sorted[^1], SpeedToLeadSummary.NearestRank(sorted, 100));
    }

    [Fact]
    public void SpeedToLeadOf_UnorderedMilliseconds_SortsAndReportsSeconds()
    {
        var summary = SpeedToLeadSummary.Of([9_000, 1_500, 250, 4_000, 60_001]);

        Assert.Equal(new SpeedToLeadSummary { Count = 5, P50Seconds = 4.0, P90Seconds = 60.001, MaxSeconds = 60.001 }, summary);
        Assert.Null(SpeedToLeadSummary.Of([]));
    }

    [Fact]
    public void SpeedToLead_HandedOffInWindow_PerCampaignPerRepAndTotals()
    {
        var builder = CreateSut(Day, Day.AddDays(1));
        builder.AddLead(HandedOff(Lead("w1", "webinar", (LeadStatus.Mql, Day)), "rep-ada", Day.AddHours(1), 1_000));
        builder.AddLead(HandedOff(Lead("w2", "webinar", (LeadStatus.Mql, Day)), "rep-grace", Day.AddHours(1), 3_000));
        builder.AddLead(HandedOff(Lead("w3", "webinar", (LeadStatus.Mql, Day)), "rep-ada", Day.AddHours(1), 2_000));
        builder.AddLead(HandedOff(Lead("e1", "ebook", (LeadStatus.Mql, Day)), "rep-ada", Day.AddHours(2), 10_000));
        builder.AddLead(HandedOff(Lead("late", "ebook", (LeadStatus.Mql, Day)), "rep-grace", Day.AddDays(1), 99_000));
        builder.AddLead(Lead("pending", "ebook", (LeadStatus.Mql, Day)));

        var summary = builder.Build();

        var campaigns = summary.Campaigns.ToDictionary(c => c.Campaign!);
        Assert.Equal(new SpeedToLeadSummary { Count = 3, P50Seconds = 2, P90Seconds = 3, MaxSeconds = 3 }, campaigns["webinar"].SpeedToLead);
        Assert.Equal(new SpeedToLeadSummary { Count = 1, P50Seconds = 10, P90Seconds = 10, MaxSeconds = 10 }, campaigns["ebook"].SpeedToLead);
        Assert.Equal(new SpeedToLeadSummary { Count = 4, P50Seconds = 2, P90Seconds = 10, MaxSeconds = 10 }, summary.Totals.SpeedToLead);
        Assert.Equal(
            [
                new RepSpeedToLead { OwnerId = "rep-ada", SpeedToLead = new SpeedToLeadSummary { Count = 3, P50Seconds = 2, P90Seconds = 10, MaxSeconds = 10 } },
                new RepSpeedToLead { OwnerId = "rep-grace", SpeedToLead = new SpeedToLeadSummary { Count = 1, P50Seconds = 3, P90Seconds = 3, MaxSeconds = 3 } },
            ],
            summary.SpeedToLeadByRep);
    }

    [Fact]
    public void SpeedToLead_NoHandoffInWindow_NullAndNoReps()
    {
        var builder = CreateSut(Day, Day.AddDays(1));
        builder.AddLead(Lead("pending", "c", (LeadStatus.Mql, Day)));
        builder.AddLead(HandedOff(Lead("other-campaign", "d", (LeadStatus.Mql, Day)), "rep-ada", Day.AddHours(1), 1_000));
        var filtered = CreateSut(Day, Day.AddDays(1), campaign: "c");
        filtered.AddLead(Lead("pending", "c", (LeadStatus.Mql, Day)));
        filtered.AddLead(HandedOff(Lead("other-campaign", "d", (LeadStatus.Mql, Day)), "rep-ada", Day.AddHours(1), 1_000));

        var summary = filtered.Build();

        Assert.Null(Assert.Single(summary.Campaigns).SpeedToLead);
        Assert.Null(summary.Totals.SpeedToLead);
        Assert.Empty(summary.SpeedToLeadByRep);
        Assert.Single(builder.Build().SpeedToLeadByRep);
    }

    private static Lead HandedOff(Lead lead, string ownerId, DateTimeOffset at, long speedMs) => Core.Leads.Lead.Restore(lead.ToMemento() with
    {
        OwnerId = ownerId,
        Handoff = new HandoffState { HandedOffAt = at, SpeedToLead = TimeSpan.FromMilliseconds(speedMs) },
    });

    private static FeedbackSummaryBuilder CreateSut(DateTimeOffset from, DateTimeOffset to, int top = 5, string? campaign = null) =>
        new(new FeedbackSummaryQuery { From = from, To = to, Top = top, Campaign = campaign }, Policy);

    private static Lead Lead(string id, string? campaign, params (LeadStatus To, DateTimeOffset At)[] moves) =>
        LeadWithReasons(id, campaign, moves.Select(m => (m.To, m.At, (string?)null)).ToArray());

    private static Lead WithCampaign(Lead lead, string? campaign) => Core.Leads.Lead.Restore(lead.ToMemento() with { Campaign = campaign });

    private static Lead LeadWithReasons(string id, string? campaign, params (LeadStatus To, DateTimeOffset At, string? Reason)[] moves)
    {
        var history = new List<LifecycleEntry>();
        var from = LeadStatus.New;
        foreach (var (to, at, reason) in moves)
        {
            history.Add(new LifecycleEntry { From = from, To = to, At = at, Actor = "test", ReasonCode = reason });
            from = to;
        }

        return Core.Leads.Lead.Restore(new LeadMemento
        {
            LeadId = id,
            Status = from,
            StatusSince = moves.Length == 0 ? Day : moves[^1].At,
            History = history,
            Campaign = campaign,
            Mql = new LeadSnapshot { At = Day, Campaign = campaign, Score = 80, ModelVersion = "v1" },
            CreatedAt = Day,
        });
    }

    private static DisqualificationFeedback Row(string leadId, string campaign, string code, string category, DateTimeOffset at) => new()
    {
        LeadId = leadId,
        Campaign = campaign,
        ReasonCode = code,
        ReasonCategory = category,
        Score = 80,
        FromStatus = "SAL",
        Cycle = 0,
        DisqualifiedAt = at,
    };
}
