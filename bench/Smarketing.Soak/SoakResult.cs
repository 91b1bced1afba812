using System.Globalization;
using Spectre.Console;

namespace Smarketing.Soak;

/// <summary>The figures of one soak run and the requirements it failed (none when it passed).</summary>
public sealed record SoakResult
{
    public required int LeadsSent { get; init; }

    public required int DeliveriesSent { get; init; }

    public required int Accepted { get; init; }

    public required IReadOnlyDictionary<string, int> Refused { get; init; }

    public required int Mqls { get; init; }

    public required int Sal { get; init; }

    public required int CrmRecords { get; init; }

    public required int DuplicateCrmRecords { get; init; }

    public required int CrmRecordsOfNonMqls { get; init; }

    public required int DuplicateDeliveriesSent { get; init; }

    public required int AnsweredDuplicate { get; init; }

    public required int Lost { get; init; }

    public required IReadOnlyDictionary<string, int> DeadLettered { get; init; }

    public required int DeadLettersWithoutReason { get; init; }

    public required int Replayed { get; init; }

    public required int ReplayedNotSal { get; init; }

    public required int UnsettledMqls { get; init; }

    public required int Answered503WithRetryAfter { get; init; }

    public required IReadOnlyDictionary<int, int> Other5xx { get; init; }

    public required int VendorRetries { get; init; }

    public required double SpeedToLeadP50Seconds { get; init; }

    public required double SpeedToLeadP99Seconds { get; init; }

    public required long CrmCalls { get; init; }

    public required long CrmFaults { get; init; }

    public required long StorageConnections { get; init; }

    public required long StorageResets { get; init; }

    public required IReadOnlyList<TimeSpan> Kills { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>How long <c>GET /api/handoffs/poison</c> took to list the dead letters once the faults stopped.</summary>
    public double ListSeconds { get; init; }

    /// <summary>How long the replay requests took (<c>POST /api/handoffs/poison/replay</c> with <c>all</c>, until none was left).</summary>
    public double ReplaySeconds { get; init; }

    public double CrmCallsPerHandedOffLead => Sal == 0 ? 0 : (double)CrmCalls / Sal;

    public IReadOnlyList<string> Failures { get; init; } = [];

    public bool Passed => Failures.Count == 0;

    public void Print(IAnsiConsole console, SoakOptions options)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(options);
        console.Profile.Width = Math.Max(console.Profile.Width, 200);
        var table = new Table().Border(TableBorder.Markdown).Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Chaos soak: {LeadsSent} leads, seed {options.Seed}, {Elapsed.TotalSeconds:F0} s")));
        table.AddColumn("figure");
        table.AddColumn(new TableColumn("value").RightAligned());
        table.AddColumn("required");
        void Row(string name, string value, string required = "") => table.AddRow(Markup.Escape(name), Markup.Escape(value), Markup.Escape(required));
        static string I(long n) => n.ToString(CultureInfo.InvariantCulture);
        static string By<TKey>(IReadOnlyDictionary<TKey, int> counts) where TKey : notnull =>
            counts.Count == 0 ? "0" : I(counts.Values.Sum()) + " (" + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}: {I(c.Value)}")) + ")";

        Row("leads sent", $"{I(LeadsSent)} in {I(DeliveriesSent)} deliveries ({I(VendorRetries)} vendor retries)");
        Row("accepted (2xx)", I(Accepted));
        Row("refused (4xx), by reason", By(Refused));
        Row("MQLs", I(Mqls));
        Row("SAL at the end", I(Sal), "every MQL");
        Row("CRM records", I(CrmRecords));
        Row("duplicate CRM records", I(DuplicateCrmRecords), "0");
        Row("CRM records of leads never MQL", I(CrmRecordsOfNonMqls), "0");
        Row("duplicate deliveries sent / answered duplicate", $"{I(DuplicateDeliveriesSent)} / {I(AnsweredDuplicate)}");
        Row("lost", I(Lost), "0");
        Row("MQLs neither SAL nor dead-lettered when settled", I(UnsettledMqls), "0");
        Row("dead-lettered, by kind", By(DeadLettered));
        Row("dead letters without a reason", I(DeadLettersWithoutReason), "0");
        Row("replayed", I(Replayed));
        Row("listing / replay requests took", string.Create(CultureInfo.InvariantCulture, $"{ListSeconds:F1} s / {ReplaySeconds:F1} s"));
        Row("replayed, not SAL after the faults stopped", I(ReplayedNotSal), "0");
        Row("5xx answered: 503 with Retry-After", I(Answered503WithRetryAfter));
        Row("5xx answered: any other", By(Other5xx), "0");
        Row("speed-to-lead p50 / p99", string.Create(CultureInfo.InvariantCulture, $"{SpeedToLeadP50Seconds:F1} s / {SpeedToLeadP99Seconds:F1} s"));
        Row("CRM calls per handed-off lead", string.Create(CultureInfo.InvariantCulture, $"{CrmCallsPerHandedOffLead:F2} ({I(CrmCalls)} calls, {I(CrmFaults)} faulted)"));
        Row("storage connections / reset by the proxy", $"{I(StorageConnections)} / {I(StorageResets)}");
        Row("app killed (SIGKILL) at", string.Join(", ", Kills.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.TotalSeconds:F1} s"))));
        console.Write(table);
        console.WriteLine();
        if (Passed)
        {
            console.WriteLine("PASSED: 0 lost, 0 duplicate CRM records, every MQL SAL or dead-lettered with a reason, every dead letter replayed to SAL, no 5xx but 503 with Retry-After.");
        }
        else
        {
            foreach (var failure in Failures)
            {
                console.WriteLine("FAILED: " + failure);
            }
        }
    }
}
