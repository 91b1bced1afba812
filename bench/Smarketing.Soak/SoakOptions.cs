namespace Smarketing.Soak;

/// <summary>One soak run: the storage it runs on, how many leads, and when each fault happens (from the first lead sent).</summary>
public sealed record SoakOptions
{
    public const string DefaultAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public required int TablePort { get; init; }

    public required int QueuePort { get; init; }

    public string AccountName { get; init; } = "devstoreaccount1";

    public string AccountKey { get; init; } = DefaultAccountKey;

    public int Leads { get; init; } = 10_000;

    public int Concurrency { get; init; } = 16;

    public int Seed { get; init; } = 20261205;

    public TimeSpan OutageAt { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan OutageFor { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan UnauthorizedAt { get; init; } = TimeSpan.FromSeconds(240);

    public TimeSpan UnauthorizedFor { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The two SIGKILLs fall at random points between these two times, one in each half.</summary>
    public TimeSpan KillFrom { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan KillTo { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>How long every MQL may take to be SAL or dead-lettered once the fault windows are over.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long the replayed dead letters may take to reach SAL after the faults stop.</summary>
    public TimeSpan ReplayTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where the app process writes its log (warnings and errors); a temporary file when null.</summary>
    public string? HostLogPath { get; init; }

    /// <summary>The CI version: 1,000 leads and short fault windows, so the whole run takes a minute or two.</summary>
    public static SoakOptions Ci(int tablePort, int queuePort) => new()
    {
        TablePort = tablePort,
        QueuePort = queuePort,
        Leads = 1_000,
        OutageAt = TimeSpan.FromSeconds(4),
        OutageFor = TimeSpan.FromSeconds(25),
        UnauthorizedAt = TimeSpan.FromSeconds(33),
        UnauthorizedFor = TimeSpan.FromSeconds(8),
        KillFrom = TimeSpan.FromSeconds(2),
        KillTo = TimeSpan.FromSeconds(30),
        SettleTimeout = TimeSpan.FromMinutes(3),
        ReplayTimeout = TimeSpan.FromMinutes(2),
    };

    internal TimeSpan FaultWindowsEnd => new[] { OutageAt + OutageFor, UnauthorizedAt + UnauthorizedFor, KillTo }.Max();
}
