using System.Text.Json;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>
/// Leads handed off through the real pipeline on Azurite, each after a known wait on the fake clock: the ledger keeps
/// each lead's speed-to-lead, GetLead shows it, and the summary's nearest-rank p50/p90 per campaign and per rep are exact.
/// </summary>
public sealed class SpeedToLeadTests
{
    private const string Webinar = "2026-q4-webinar";
    private const string Ebook = "2026-q4-ebook";

    [Fact]
    public async Task Summary_LeadsHandedOffAfterKnownWaits_ExactPercentilesPerCampaignAndRep()
    {
        await using var app = await FeedbackTesting.StartAsync();

        // Every clock read would otherwise add a millisecond; the waits below are the only time that passes.
        app.Time.AutoAdvanceAmount = TimeSpan.Zero;
        foreach (var (id, campaign, owner, seconds) in new[]
                 {
                     ("w1", Webinar, "rep-ada", 1), ("w2", Webinar, "rep-grace", 2), ("w3", Webinar, "rep-ada", 3), ("w4", Webinar, "rep-ada", 7),
                     ("e1", Ebook, "rep-grace", 4), ("e2", Ebook, "rep-ada", 5), ("e3", Ebook, "rep-grace", 10),
                 })
        {
            await HandOffAfterAsync(app, id, campaign, owner, TimeSpan.FromSeconds(seconds));
        }

        // Neither a lead still waiting for its handoff nor one that never qualified counts.
        var pending = Lead("pending", Ebook, "rep-ada");
        Assert.Equal("MQL", (await app.PostLeadAsync(pending.ToJsonString())).Json.GetProperty("status").GetString());
        var seventy = Leads.ScoringExactly70("seventy");
        seventy["campaign"] = Ebook;
        Assert.Equal("NEW", (await app.PostLeadAsync(seventy.ToJsonString())).Json.GetProperty("status").GetString());

        var summary = (await app.GetSummaryAsync("?from=2026-11-01&to=2026-12-01")).Json;

        var campaigns = summary.GetProperty("campaigns").EnumerateArray().ToDictionary(c => c.GetProperty("campaign").GetString()!);
        Assert.Equal((4, 2.0, 7.0, 7.0), Speed(campaigns[Webinar]));
        Assert.Equal((3, 5.0, 10.0, 10.0), Speed(campaigns[Ebook]));
        Assert.Equal((7, 4.0, 10.0, 10.0), Speed(summary.GetProperty("totals")));
        var reps = summary.GetProperty("speedToLeadByRep").EnumerateArray().ToList();
        Assert.Equal(["rep-ada", "rep-grace"], reps.Select(r => r.GetProperty("ownerId").GetString()));
        Assert.Equal((4, 3.0, 7.0, 7.0), Speed(reps[0]));
        Assert.Equal((3, 4.0, 10.0, 10.0), Speed(reps[1]));
    }

    [Fact]
    public async Task GetLead_HandedOff_ShowsSpeedToLeadAndItsColumn()
    {
        await using var app = await FeedbackTesting.StartAsync();
        app.Time.AutoAdvanceAmount = TimeSpan.Zero;

        await HandOffAfterAsync(app, "timed", Webinar, "rep-ada", TimeSpan.FromMilliseconds(2_345));
        Assert.Equal("MQL", (await app.PostLeadAsync(Lead("waiting", Webinar, "rep-ada").ToJsonString())).Json.GetProperty("status").GetString());

        var lead = (await app.GetLeadAsync("timed")).Json;
        Assert.Equal(2.345, lead.GetProperty("speedToLeadSeconds").GetDouble());
        Assert.Equal(
            lead.GetProperty("mql").GetProperty("at").GetDateTimeOffset().AddMilliseconds(2_345),
            lead.GetProperty("handedOffAt").GetDateTimeOffset());
        var row = (await app.Layout.LeadLedger.GetEntityAsync<Azure.Data.Tables.TableEntity>("timed", Smarketing.Functions.Storage.TableLeadLedger.RowKey)).Value;
        Assert.Equal(2_345L, row.GetInt64("SpeedToLeadMs"));
        Assert.Equal(JsonValueKind.Null, (await app.GetLeadAsync("waiting")).Json.GetProperty("speedToLeadSeconds").ValueKind);
    }

    private static async Task HandOffAfterAsync(TestApp app, string id, string campaign, string owner, TimeSpan wait)
    {
        var posted = await app.PostLeadAsync(Lead(id, campaign, owner).ToJsonString());
        Assert.Equal("MQL", posted.Json.GetProperty("status").GetString());
        app.Time.Advance(wait);
        var listener = app.HandoffListener();
        await listener.RunUntilEmptyAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, listener.Failures);
    }

    private static System.Text.Json.Nodes.JsonObject Lead(string id, string campaign, string owner)
    {
        var lead = Leads.Article(id);
        lead["email"] = id + "@example.com";
        lead["campaign"] = campaign;
        lead["ownerId"] = owner;
        return lead;
    }

    private static (int Count, double P50, double P90, double Max) Speed(JsonElement holder)
    {
        var speed = holder.GetProperty("speedToLead");
        return (
            speed.GetProperty("count").GetInt32(),
            speed.GetProperty("p50Seconds").GetDouble(),
            speed.GetProperty("p90Seconds").GetDouble(),
            speed.GetProperty("maxSeconds").GetDouble());
    }
}
