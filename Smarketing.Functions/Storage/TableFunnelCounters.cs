using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The funnel counters, kept at write time so the summary reads counters, never the ledger. One partition per UTC day
/// and campaign (<c>20261105|2026-q4-webinar</c>); in it, per campaign and per rep of its handoffs, a day counter
/// (<c>d|c|2</c>, <c>d|r|rep-ada|2</c>) and a counter for the minute of the move (<c>m|1002|c|2</c>), each split in
/// <see cref="FeedbackSummaryOptions.CounterShards"/> rows of which a move picks one at random, so concurrent handoffs seldom meet on a row, and
/// rows added together at read. A move is counted by one entity-group transaction that adds its marker row
/// (<c>x|lead|sequence</c>) and updates its counter rows under their ETags: the marker makes a second count of the
/// same move fail as a whole, so a retried or re-reconciled move is counted exactly once.
/// </summary>
internal sealed class TableFunnelCounters(StorageLayout layout, IOptions<FeedbackSummaryOptions> options) : IFunnelCounterStore
{
    /// <summary>Tries of one move against contended rows before it is left to the reconciler.</summary>
    public const int MaxAttempts = 10;

    private const string DayFormat = "yyyyMMdd";
    private const string MinuteFormat = "HHmm";

    public static string Partition(DateTimeOffset at, string campaign) =>
        at.UtcDateTime.ToString(DayFormat, CultureInfo.InvariantCulture) + "|" + FeedbackKeys.Campaign(campaign);

    public static string Marker(string leadId, int sequence) =>
        "x|" + FeedbackKeys.Part(leadId, FeedbackKeys.MaxIdLength) + "|" + sequence.ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>Counts <paramref name="move"/> unless it was counted already; false when it was.</summary>
    public async Task<bool> CountAsync(FunnelMove move, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(move);
        var partition = Partition(move.At, move.Campaign);
        var marker = Marker(move.LeadId, move.Sequence);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var shard = Random.Shared.Next(options.Value.CounterShards).ToString(CultureInfo.InvariantCulture);
            var minute = "m|" + move.At.UtcDateTime.ToString(MinuteFormat, CultureInfo.InvariantCulture) + "|";
            var rows = new List<string> { "d|c|" + shard, minute + "c|" + shard };
            if (move.Handoff is { } handoff)
            {
                var rep = "r|" + FeedbackKeys.Part(handoff.OwnerId, FeedbackKeys.MaxIdLength) + "|" + shard;
                rows.Add("d|" + rep);
                rows.Add(minute + rep);
            }

            // The marker and the counter rows are read at once: one round trip before the transaction.
            var reads = await Task.WhenAll(rows.Prepend(marker).Select(row => layout.FunnelCounters.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken)));
            if (reads[0].HasValue)
            {
                return false;
            }

            var current = reads[1..];
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, new TableEntity(partition, marker) { ["LeadId"] = move.LeadId, ["Sequence"] = move.Sequence, ["To"] = move.To.ToWire(), ["At"] = move.At }),
            };
            for (var i = 0; i < rows.Count; i++)
            {
                var isRep = i >= 2;
                var existing = current[i].HasValue ? current[i].Value : null;
                var counts = existing is null
                    ? new FunnelCounts { Campaign = move.Campaign, OwnerId = isRep ? move.Handoff!.Value.OwnerId : null }
                    : FromEntity(existing);
                Add(counts, move, isRep);
                var entity = ToEntity(partition, rows[i], counts);
                actions.Add(existing is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, existing.ETag));
            }

            try
            {
                await layout.FunnelCounters.SubmitTransactionAsync(actions, cancellationToken);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another move took a row first, or this very move was counted meanwhile: the marker check says which.
            }
        }

        throw new FunnelCounterContendedException(move.LeadId, move.Sequence);
    }

    public async IAsyncEnumerable<FunnelCounts> ReadAsync(FeedbackSummaryQuery window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        foreach (var filter in Filters(window.From, window.To, window.Campaign))
        {
            await foreach (var entity in layout.FunnelCounters.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                yield return FromEntity(entity);
            }
        }
    }

    /// <summary>
    /// The queries of the window, widened to whole minutes: the minute counters of a partial first and last day, the day
    /// counters of the whole days between. Each is a key range of partitions and rows.
    /// </summary>
    public static IEnumerable<string> Filters(DateTimeOffset from, DateTimeOffset to, string? campaign)
    {
        // A bound inside a minute widens the window to that whole minute: "to = now" then counts this minute's moves.
        var start = Minute(from);
        var end = Minute(to) is var whole && whole < to.UtcDateTime ? whole.AddMinutes(1) : Minute(to);
        if (start >= end)
        {
            yield break;
        }

        var firstDay = start.Date;
        var lastDay = end.Date;
        if (firstDay == lastDay)
        {
            yield return MinuteFilter(firstDay, Hhmm(start), Hhmm(end), campaign);
            yield break;
        }

        var wholeFrom = firstDay;
        if (start != firstDay)
        {
            yield return MinuteFilter(firstDay, Hhmm(start), "2400", campaign);
            wholeFrom = firstDay.AddDays(1);
        }

        if (wholeFrom < lastDay)
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey ge {Day(wholeFrom) + "|"} and PartitionKey lt {Day(lastDay) + "|"} and RowKey ge {"d|"} and RowKey lt {"d}"}");
            yield return WithCampaign(filter, campaign);
        }

        if (end != lastDay)
        {
            yield return MinuteFilter(lastDay, "0000", Hhmm(end), campaign);
        }
    }

    internal static FunnelCounts FromEntity(TableEntity e)
    {
        var counts = new FunnelCounts
        {
            Campaign = e.GetString("Campaign") ?? DisqualificationFeedback.UnknownCampaign,
            OwnerId = e.GetString("OwnerId"),
            Mqls = e.GetInt32("Mqls") ?? 0,
            Sals = e.GetInt32("Sals") ?? 0,
            Sqls = e.GetInt32("Sqls") ?? 0,
            Wins = e.GetInt32("Wins") ?? 0,
            Losses = e.GetInt32("Losses") ?? 0,
            Disqualifications = e.GetInt32("Disqualifications") ?? 0,
            Recycles = e.GetInt32("Recycles") ?? 0,
        };
        foreach (var (code, count) in JsonSerializer.Deserialize<Dictionary<string, int>>(e.GetString("LossReasons") ?? "{}") ?? [])
        {
            counts.LossReasons[code] = count;
        }

        foreach (var (code, reason) in JsonSerializer.Deserialize<Dictionary<string, ReasonCounter>>(e.GetString("Reasons") ?? "{}") ?? [])
        {
            counts.Reasons[code] = reason;
        }

        counts.SpeedToLead.Add(SpeedHistogram.Parse(e.GetString("SpeedBuckets"), e.GetInt64("SpeedMaxMs") ?? 0));
        return counts;
    }

    private static TableEntity ToEntity(string partition, string row, FunnelCounts counts) => new(partition, row)
    {
        ["Campaign"] = counts.Campaign,
        ["OwnerId"] = counts.OwnerId,
        ["Mqls"] = counts.Mqls,
        ["Sals"] = counts.Sals,
        ["Sqls"] = counts.Sqls,
        ["Wins"] = counts.Wins,
        ["Losses"] = counts.Losses,
        ["Disqualifications"] = counts.Disqualifications,
        ["Recycles"] = counts.Recycles,
        ["LossReasons"] = JsonSerializer.Serialize(counts.LossReasons),
        ["Reasons"] = JsonSerializer.Serialize(counts.Reasons),
        ["SpeedBuckets"] = counts.SpeedToLead.Format(),
        ["SpeedMaxMs"] = counts.SpeedToLead.MaxMs,
    };

    private static void Add(FunnelCounts counts, FunnelMove move, bool isRep)
    {
        if (isRep)
        {
            counts.SpeedToLead.Add(move.Handoff!.Value.Milliseconds);
            return;
        }

        switch (move.To)
        {
            case LeadStatus.Mql:
                counts.Mqls++;
                break;
            case LeadStatus.Sal:
                counts.Sals++;
                break;
            case LeadStatus.Sql:
                counts.Sqls++;
                break;
            case LeadStatus.ClosedWon:
                counts.Wins++;
                break;
            case LeadStatus.ClosedLost:
                counts.Losses++;
                var code = move.ReasonCode ?? "(none)";
                counts.LossReasons[code] = counts.LossReasons.GetValueOrDefault(code) + 1;
                break;
            case LeadStatus.Disqualified:
                counts.Disqualifications++;
                var reasonCode = move.ReasonCode ?? "(none)";
                if (!counts.Reasons.TryGetValue(reasonCode, out var reason))
                {
                    counts.Reasons[reasonCode] = reason = new ReasonCounter();
                }

                reason.Add(1, move.ReasonCategory ?? "other", move.ReasonLabel, move.At);
                break;
            case LeadStatus.New:
                counts.Recycles++;
                break;
            default:
                break;
        }

        if (move.Handoff is { } handoff)
        {
            counts.SpeedToLead.Add(handoff.Milliseconds);
        }
    }

    private static string MinuteFilter(DateTime day, string fromMinute, string toMinute, string? campaign) => WithCampaign(
        TableClient.CreateQueryFilter(
            $"PartitionKey ge {Day(day) + "|"} and PartitionKey lt {Day(day) + "}"} and RowKey ge {"m|" + fromMinute} and RowKey lt {"m|" + toMinute}"),
        campaign);

    private static string WithCampaign(string filter, string? campaign) =>
        campaign is null ? filter : filter + " and " + TableClient.CreateQueryFilter($"Campaign eq {campaign}");

    private static DateTime Minute(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc);
    }

    private static string Day(DateTime day) => day.ToString(DayFormat, CultureInfo.InvariantCulture);

    private static string Hhmm(DateTime at) => at.ToString(MinuteFormat, CultureInfo.InvariantCulture);
}

/// <summary>A move's counter rows stayed contended past <see cref="TableFunnelCounters.MaxAttempts"/>: the reconciler counts it.</summary>
internal sealed class FunnelCounterContendedException(string leadId, int sequence)
    : Exception($"The funnel counters of move {sequence} of lead '{leadId}' stayed contended.");
