using Smarketing.Core.Feedback;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>The stated precision of the speed-to-lead buckets (docs/feedback-summary-and-export.md), checked on random times.</summary>
public sealed class SpeedHistogramTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(99, 99)]
    [InlineData(100, 100)]
    [InlineData(2_345, 2_300)]
    [InlineData(61_999, 61_000)]
    [InlineData(7_000, 7_000)]
    public void BucketOf_Milliseconds_CutToTwoSignificantDigitsFrom100(long milliseconds, long bucket) =>
        Assert.Equal(bucket, SpeedHistogram.BucketOf(milliseconds));

    [Fact]
    public void Summary_RandomTimes_PercentilesNeverAboveAndLessThanTenPercentBelowNearestRank()
    {
        var random = new Random(20261105);
        for (var run = 0; run < 500; run++)
        {
            var times = Enumerable.Range(0, random.Next(1, 300)).Select(_ => (long)Math.Exp(random.NextDouble() * 18)).ToArray();
            var histogram = new SpeedHistogram();
            foreach (var time in times)
            {
                histogram.Add(time);
            }

            // Stored and read back, as the counter rows do.
            var summary = SpeedHistogram.Parse(histogram.Format(), histogram.MaxMs).Summary()!;
            var exact = SpeedToLeadSummary.Of(times)!;

            Assert.Equal(exact.Count, summary.Count);
            Assert.Equal(exact.MaxSeconds, summary.MaxSeconds);
            foreach (var (bucketed, measured) in new[] { (summary.P50Seconds, exact.P50Seconds), (summary.P90Seconds, exact.P90Seconds) })
            {
                Assert.True(bucketed <= measured, $"{bucketed} > {measured}");
                Assert.True(measured < 0.1 || bucketed > measured * 0.9, $"{bucketed} is 10 % or more below {measured}");
            }
        }
    }

    [Fact]
    public void Summary_WholeSeconds_Exact()
    {
        var histogram = new SpeedHistogram();
        foreach (var seconds in new[] { 1, 2, 3, 7 })
        {
            histogram.Add(seconds * 1000L);
        }

        Assert.Equal(new SpeedToLeadSummary { Count = 4, P50Seconds = 2, P90Seconds = 7, MaxSeconds = 7 }, histogram.Summary());
    }
}
