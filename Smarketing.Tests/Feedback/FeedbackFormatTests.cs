using Smarketing.Core.Feedback;
using Smarketing.Functions.Storage;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>The summary query string, the CSV lines and the feedback tables' keys.</summary>
public sealed class FeedbackFormatTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 5, 10, 9, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-01", "2026-11-01T00:00:00.0000000+00:00")]
    [InlineData("2026-11-01T09:30", "2026-11-01T09:30:00.0000000+00:00")]
    [InlineData("2026-11-01T09:30:15Z", "2026-11-01T09:30:15.0000000+00:00")]
    [InlineData("2026-11-01T09:30:15.25+02:00", "2026-11-01T07:30:15.2500000+00:00")]
    public void Query_IsoDates_ReadAsUtc(string from, string expected)
    {
        var query = FeedbackSummaryQuery.TryParse(n => n == "from" ? from : null, Now, 30, out var errors);

        Assert.True(errors.IsEmpty, errors.ToString());
        Assert.Equal(expected, query!.From.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Query_Nothing_LastDefaultDaysUntilNowAllCampaignsTopFive()
    {
        var query = FeedbackSummaryQuery.TryParse(_ => null, Now, 7, out _)!;

        Assert.Equal((Now.AddDays(-7), Now, null, 5), (query.From, query.To, query.Campaign, query.Top));
    }

    [Fact]
    public void Query_EveryBadParameter_NamedAtOnce()
    {
        var values = new Dictionary<string, string> { ["from"] = "01/11/2026", ["to"] = "tomorrow", ["top"] = "51", ["campaign"] = new string('c', 257) };

        var query = FeedbackSummaryQuery.TryParse(n => values.GetValueOrDefault(n), Now, 30, out var errors);

        Assert.Null(query);
        Assert.Equal(["campaign", "from", "to", "top"], errors.Fields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Csv_FieldsWithCommasQuotesAndLineBreaks_QuotedPerRfc4180()
    {
        var line = FeedbackCsv.Line(Row(note: "said \"no\",\r\nthen hung up", campaign: "spring, 2026"));

        Assert.Equal(
            "2026-11-05T10:09:00.0000000Z,\"spring, 2026\",lead-1,2,MQL,NOT_A_FIT,fit,Not a fit,80,v1,webinar,rep-ada,\"said \"\"no\"\",\r\nthen hung up\"\r\n",
            line);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [InlineData("+1 555", "'+1 555")]
    [InlineData("-", "'-")]
    [InlineData("@sales", "'@sales")]
    [InlineData("fine = ok", "fine = ok")]
    public void Csv_NoteThatASpreadsheetWouldRun_Neutralized(string note, string expected) =>
        Assert.Equal(expected, FeedbackCsv.Neutralize(note));

    [Fact]
    public void Keys_ForbiddenCharacters_Encoded_TimeSortsFirst()
    {
        var early = FeedbackKeys.Disqualification(Now, "lead/#?\\1", 3);
        var late = FeedbackKeys.Disqualification(Now.AddTicks(1), "a", 0);

        Assert.Equal("20261105T1009000000000Z_lead%2F%23%3F%5C1_0003", early);
        Assert.True(string.CompareOrdinal(early, late) < 0);
        Assert.True(string.CompareOrdinal(FeedbackKeys.TimePrefix(Now), early) <= 0);
        Assert.True(string.CompareOrdinal(early, FeedbackKeys.TimePrefix(Now.AddTicks(1))) < 0);
    }

    [Fact]
    public void Keys_ValueTooLongForAKey_CutWithAHashStableAndDistinct()
    {
        var campaign = new string('/', 256);
        var other = new string('/', 255) + "x";

        var key = FeedbackKeys.Campaign(campaign);

        Assert.True(key.Length <= FeedbackKeys.MaxCampaignLength);
        Assert.Equal(key, FeedbackKeys.Campaign(campaign));
        Assert.NotEqual(key, FeedbackKeys.Campaign(other));
        Assert.DoesNotMatch("%[0-9A-F]?~", key);
        Assert.True(FeedbackKeys.Disqualification(Now, new string('#', 200), 9999).Length <= TableKeys.MaxLength);
    }

    private static DisqualificationFeedback Row(string? note, string campaign) => new()
    {
        LeadId = "lead-1",
        Campaign = campaign,
        Source = "webinar",
        ReasonCode = "NOT_A_FIT",
        ReasonCategory = "fit",
        ReasonLabel = "Not a fit",
        Note = note,
        Score = 80,
        ModelVersion = "v1",
        FromStatus = "MQL",
        Rep = "rep-ada",
        Cycle = 2,
        DisqualifiedAt = Now,
    };
}
