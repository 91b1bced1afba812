using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback;

/// <summary>
/// Accumulates a <see cref="FeedbackSummary"/> from the funnel counters kept at write time (or from ledger rows, the
/// funnel moves in their history) and <c>DisqualificationFeedback</c> rows, one at a time, so neither table is held in
/// memory. Every count is of moves made inside the window, attributed to the campaign of the lead's MQL snapshot (else
/// its latest campaign): the same attribution the feedback rows carry. Speed-to-lead percentiles come from the
/// buckets of <see cref="SpeedHistogram"/>.
/// </summary>
public sealed class FeedbackSummaryBuilder(FeedbackSummaryQuery query, LifecyclePolicy policy)
{
    /// <summary>The owner a handoff is attributed to when the lead has none.</summary>
    public const string NoOwner = "(none)";

    private readonly Dictionary<string, Tally> _campaigns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SpeedHistogram> _reps = new(StringComparer.Ordinal);

    /// <summary>How many ledger rows were read.</summary>
    public int LedgerRows { get; private set; }

    /// <summary>How many counter rows were read.</summary>
    public int CounterRows { get; private set; }

    /// <summary>How many feedback rows were read.</summary>
    public int FeedbackRows { get; private set; }

    /// <summary>The campaign a lead's moves are attributed to.</summary>
    public static string CampaignOf(Lead record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Mql?.Campaign ?? record.Campaign ?? DisqualificationFeedback.UnknownCampaign;
    }

    /// <summary>
    /// Counts the MQL, SAL, SQL, won and lost moves of a lead that fall in the window, and its speed-to-lead when its
    /// handoff did.
    /// </summary>
    public void AddLead(Lead record)
    {
        ArgumentNullException.ThrowIfNull(record);
        LedgerRows++;
        var campaign = CampaignOf(record);
        if (query.Campaign is not null && !string.Equals(query.Campaign, campaign, StringComparison.Ordinal))
        {
            return;
        }

        if (record.Handoff is { HandedOffAt: { } handedOffAt, SpeedToLead: { } speed } && query.Contains(handedOffAt))
        {
            var milliseconds = (long)speed.TotalMilliseconds;
            For(campaign).SpeedToLead.Add(milliseconds);
            RepOf(record.OwnerId ?? NoOwner).Add(milliseconds);
        }

        foreach (var entry in record.History)
        {
            if (!query.Contains(entry.At))
            {
                continue;
            }

            switch (entry.To)
            {
                case LeadStatus.Mql:
                    For(campaign).Mqls++;
                    break;
                case LeadStatus.Sal:
                    For(campaign).Sals++;
                    break;
                case LeadStatus.Sql:
                    For(campaign).Sqls++;
                    break;
                case LeadStatus.ClosedWon:
                    For(campaign).Wins++;
                    break;
                case LeadStatus.ClosedLost:
                    var tally = For(campaign);
                    tally.Losses++;
                    policy.TryGetReason(LeadStatus.ClosedLost, entry.ReasonCode, out var reason);
                    Tally.Count(tally.LossReasons, entry.ReasonCode ?? "(none)", reason?.Label, reason?.Category ?? "other", entry.At);
                    break;
                default:
                    // Disqualifications are counted from their feedback rows, which carry the reason as it was given.
                    break;
            }
        }
    }

    /// <summary>
    /// Adds a counter of the window (the store reads only the window's counters); a rep's counter adds to that rep's
    /// speed-to-lead only.
    /// </summary>
    public void AddCounts(FunnelCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        CounterRows++;
        if (query.Campaign is not null && !string.Equals(query.Campaign, counts.Campaign, StringComparison.Ordinal))
        {
            return;
        }

        if (counts.OwnerId is not null)
        {
            RepOf(counts.OwnerId).Add(counts.SpeedToLead);
            return;
        }

        // Recycles are not reported: a counter with nothing else leaves the campaign out.
        if (counts is { Mqls: 0, Sals: 0, Sqls: 0, Wins: 0, Losses: 0, Disqualifications: 0, SpeedToLead.Count: 0 })
        {
            return;
        }

        var tally = For(counts.Campaign);
        tally.Mqls += counts.Mqls;
        tally.Sals += counts.Sals;
        tally.Sqls += counts.Sqls;
        tally.Wins += counts.Wins;
        tally.Losses += counts.Losses;
        tally.Disqualifications += counts.Disqualifications;
        tally.SpeedToLead.Add(counts.SpeedToLead);
        foreach (var (code, reason) in counts.Reasons)
        {
            policy.TryGetReason(LeadStatus.Disqualified, code, out var configured);
            Tally.Count(tally.Reasons, code, configured?.Label ?? reason.Label, reason.Category, reason.LatestAt, reason.Count);
        }

        foreach (var (code, count) in counts.LossReasons)
        {
            policy.TryGetReason(LeadStatus.ClosedLost, code, out var reason);
            Tally.Count(tally.LossReasons, code, reason?.Label, reason?.Category ?? "other", query.From, count);
        }
    }

    /// <summary>Counts a disqualification row that falls in the window.</summary>
    public void AddDisqualification(DisqualificationFeedback row)
    {
        ArgumentNullException.ThrowIfNull(row);
        FeedbackRows++;
        if (!query.Contains(row.DisqualifiedAt) ||
            (query.Campaign is not null && !string.Equals(query.Campaign, row.Campaign, StringComparison.Ordinal)))
        {
            return;
        }

        var tally = For(row.Campaign);
        tally.Disqualifications++;
        policy.TryGetReason(LeadStatus.Disqualified, row.ReasonCode, out var configured);
        Tally.Count(tally.Reasons, row.ReasonCode, configured?.Label ?? row.ReasonLabel, row.ReasonCategory, row.DisqualifiedAt);
    }

    /// <summary>The summary of everything added.</summary>
    public FeedbackSummary Build()
    {
        var campaigns = _campaigns
            .Select(kv => kv.Value.ToSummary(kv.Key, query.Top))
            .OrderByDescending(c => c.DisqualificationRate ?? -1)
            .ThenByDescending(c => c.Disqualifications)
            .ThenBy(c => c.Campaign, StringComparer.Ordinal)
            .ToList();
        var totals = new Tally();
        foreach (var tally in _campaigns.Values)
        {
            totals.Add(tally);
        }

        return new FeedbackSummary
        {
            From = query.From,
            To = query.To,
            Campaign = query.Campaign,
            Campaigns = campaigns,
            Totals = totals.ToSummary(null, query.Top),
            SpeedToLeadByRep =
            [
                .. _reps
                    .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                    .Where(kv => kv.Value.Count > 0)
                    .Select(kv => new RepSpeedToLead { OwnerId = kv.Key, SpeedToLead = kv.Value.Summary()! }),
            ],
        };
    }

    private SpeedHistogram RepOf(string owner)
    {
        if (!_reps.TryGetValue(owner, out var histogram))
        {
            _reps[owner] = histogram = new SpeedHistogram();
        }

        return histogram;
    }

    private Tally For(string campaign)
    {
        if (!_campaigns.TryGetValue(campaign, out var tally))
        {
            _campaigns[campaign] = tally = new Tally();
        }

        return tally;
    }
}

/// <summary>The counters of one campaign.</summary>
internal sealed class Tally
{
    public int Mqls { get; set; }

    public int Sals { get; set; }

    public int Sqls { get; set; }

    public int Wins { get; set; }

    public int Losses { get; set; }

    public int Disqualifications { get; set; }

    public Dictionary<string, ReasonTally> Reasons { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ReasonTally> LossReasons { get; } = new(StringComparer.Ordinal);

    public SpeedHistogram SpeedToLead { get; } = new();

    public static void Count(Dictionary<string, ReasonTally> reasons, string code, string? label, string category, DateTimeOffset at, int count = 1)
    {
        if (!reasons.TryGetValue(code, out var reason))
        {
            reasons[code] = reason = new ReasonTally();
        }

        reason.Count += count;

        // A code's category may have been reconfigured; the latest row says what it means now.
        if (at >= reason.LatestAt)
        {
            reason.LatestAt = at;
            reason.Category = category;
            reason.Label = label ?? reason.Label;
        }
    }

    public void Add(Tally other)
    {
        Mqls += other.Mqls;
        Sals += other.Sals;
        Sqls += other.Sqls;
        Wins += other.Wins;
        Losses += other.Losses;
        Disqualifications += other.Disqualifications;
        Merge(Reasons, other.Reasons);
        Merge(LossReasons, other.LossReasons);
        SpeedToLead.Add(other.SpeedToLead);
    }

    public FunnelSummary ToSummary(string? campaign, int top) => new()
    {
        Campaign = campaign,
        Mqls = Mqls,
        Sals = Sals,
        Sqls = Sqls,
        Wins = Wins,
        Losses = Losses,
        Disqualifications = Disqualifications,
        DisqualificationRate = Mqls == 0 ? null : Math.Round((double)Disqualifications / Mqls, 4, MidpointRounding.AwayFromZero),
        TopReasons = Top(Reasons, top),
        ByCategory = Reasons.Values
            .GroupBy(r => r.Category, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Count), StringComparer.Ordinal),
        TopLossReasons = Top(LossReasons, top),
        SpeedToLead = SpeedToLead.Summary(),
    };

    private static List<ReasonCount> Top(Dictionary<string, ReasonTally> reasons, int top) =>
        [.. reasons
            .OrderByDescending(kv => kv.Value.Count)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(top)
            .Select(kv => new ReasonCount { Code = kv.Key, Label = kv.Value.Label, Category = kv.Value.Category, Count = kv.Value.Count })];

    private static void Merge(Dictionary<string, ReasonTally> into, Dictionary<string, ReasonTally> from)
    {
        foreach (var (code, reason) in from)
        {
            if (!into.TryGetValue(code, out var existing))
            {
                into[code] = existing = new ReasonTally();
            }

            existing.Count += reason.Count;
            if (reason.LatestAt >= existing.LatestAt)
            {
                existing.LatestAt = reason.LatestAt;
                existing.Category = reason.Category;
                existing.Label = reason.Label ?? existing.Label;
            }
        }
    }
}

/// <summary>The count of one reason code.</summary>
internal sealed class ReasonTally
{
    public int Count { get; set; }

    public string Category { get; set; } = "other";

    public string? Label { get; set; }

    public DateTimeOffset LatestAt { get; set; } = DateTimeOffset.MinValue;
}
