using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Feedback;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>The <c>DisqualificationFeedback</c> table's keys and window queries on Azurite.</summary>
public sealed class DisqualificationFeedbackStoreTests(FeedbackAppFixture fixture) : IClassFixture<FeedbackAppFixture>
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly TestApp _app = fixture.App;

    private IDisqualificationFeedbackStore Store => _app.Services.GetRequiredService<IDisqualificationFeedbackStore>();

    [Fact]
    public async Task Query_CampaignWithForbiddenCharacters_WindowIsAKeyRange()
    {
        const string campaign = "q4/paid#social?brand\\emea";
        await Store.UpsertAsync(Row("store-1", campaign, Day.AddHours(1)), CancellationToken.None);
        await Store.UpsertAsync(Row("store-2", campaign, Day.AddHours(2)), CancellationToken.None);
        await Store.UpsertAsync(Row("store-3", campaign, Day.AddHours(3)), CancellationToken.None);

        var rows = await ToListAsync(Store.QueryAsync(Day.AddHours(1), Day.AddHours(3), campaign, CancellationToken.None));

        Assert.Equal(["store-1", "store-2"], rows.Select(r => r.LeadId));
        Assert.All(rows, r => Assert.Equal(campaign, r.Campaign));
    }

    [Fact]
    public async Task Upsert_SameDisqualificationTwice_OneRow()
    {
        var row = Row("store-twice", "twice", Day.AddHours(4));

        await Store.UpsertAsync(row, CancellationToken.None);
        await Store.UpsertAsync(row with { Note = "rewritten" }, CancellationToken.None);

        var stored = Assert.Single(await ToListAsync(Store.QueryAsync(Day, Day.AddDays(1), "twice", CancellationToken.None)));
        Assert.Equal("rewritten", stored.Note);
    }

    [Fact]
    public async Task Query_AllCampaigns_ByCampaignThenTime()
    {
        var at = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await Store.UpsertAsync(Row("store-b2", "all-b", at.AddMinutes(2)), CancellationToken.None);
        await Store.UpsertAsync(Row("store-a1", "all-a", at.AddMinutes(3)), CancellationToken.None);
        await Store.UpsertAsync(Row("store-b1", "all-b", at.AddMinutes(1)), CancellationToken.None);
        await Store.UpsertAsync(Row("store-late", "all-a", at.AddDays(1)), CancellationToken.None);

        var rows = await ToListAsync(Store.QueryAsync(at, at.AddHours(1), null, CancellationToken.None));

        Assert.Equal(["store-a1", "store-b1", "store-b2"], rows.Select(r => r.LeadId));
    }

    [Fact]
    public async Task Query_CampaignLongerThanAKeyAllows_StoredAndFoundByItsFullName()
    {
        var campaign = new string('#', 250) + "-end";
        await Store.UpsertAsync(Row("store-long", campaign, Day.AddHours(5)), CancellationToken.None);

        var row = Assert.Single(await ToListAsync(Store.QueryAsync(Day, Day.AddDays(1), campaign, CancellationToken.None)));

        Assert.Equal(campaign, row.Campaign);
        Assert.Empty(await ToListAsync(Store.QueryAsync(Day, Day.AddDays(1), new string('#', 250) + "-other", CancellationToken.None)));
    }

    private static DisqualificationFeedback Row(string leadId, string campaign, DateTimeOffset at) => new()
    {
        LeadId = leadId,
        Campaign = campaign,
        ReasonCode = "NOT_A_FIT",
        ReasonCategory = "fit",
        ReasonLabel = "Not a fit for our product",
        Score = 80,
        FromStatus = "SAL",
        Cycle = 0,
        DisqualifiedAt = at,
    };

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
