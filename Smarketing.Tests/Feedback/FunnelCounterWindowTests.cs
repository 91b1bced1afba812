using Smarketing.Functions.Storage;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>The key ranges the summary reads for a window: minute counters at partial edge days, day counters between.</summary>
public sealed class FunnelCounterWindowTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Filters_BoundsInsideMinutesOverThreeDays_EdgeMinutesWidenedAndTheWholeDayBetween()
    {
        var filters = TableFunnelCounters.Filters(Day.AddHours(10).AddSeconds(90), Day.AddDays(2).AddHours(10).AddMinutes(9).AddSeconds(30), null).ToList();

        Assert.Equal(3, filters.Count);
        Assert.Equal("PartitionKey ge '20261105|' and PartitionKey lt '20261105}' and RowKey ge 'm|1001' and RowKey lt 'm|2400'", filters[0]);
        Assert.Equal("PartitionKey ge '20261106|' and PartitionKey lt '20261107|' and RowKey ge 'd|' and RowKey lt 'd}'", filters[1]);
        Assert.Equal("PartitionKey ge '20261107|' and PartitionKey lt '20261107}' and RowKey ge 'm|0000' and RowKey lt 'm|1010'", filters[2]);
    }

    [Fact]
    public void Filters_WholeDaysOfOneCampaign_OneDayRangeNarrowedToTheCampaign()
    {
        var filter = Assert.Single(TableFunnelCounters.Filters(Day, Day.AddDays(30), "2026-q4-ebook"));

        Assert.Equal("PartitionKey ge '20261105|' and PartitionKey lt '20261205|' and RowKey ge 'd|' and RowKey lt 'd}' and Campaign eq '2026-q4-ebook'", filter);
    }

    [Fact]
    public void Filters_WithinOneMinute_ThatMinuteOnly()
    {
        var filter = Assert.Single(TableFunnelCounters.Filters(Day.AddSeconds(10), Day.AddSeconds(20), null));

        Assert.EndsWith("RowKey ge 'm|0000' and RowKey lt 'm|0001'", filter, StringComparison.Ordinal);
    }
}
