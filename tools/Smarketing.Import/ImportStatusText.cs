using System.Globalization;

namespace Smarketing.Import;

/// <summary>The words of the progress display, the same on a terminal's bars and in the plain lines of a log.</summary>
internal static class ImportStatusText
{
    /// <summary>One line a poll when the output is not a terminal.</summary>
    public static string Line(ImportStatus status) =>
        $"{status.State}: {Rows(status)}; {Mqls(status)}{Pace(status)}";

    public static string RowsLive(ImportStatus status) => $"{status.State}: {Rows(status)}{Pace(status)}";

    public static string Rows(ImportStatus status) =>
        $"{N(status.Accepted)} accepted, {N(status.Rejected)} rejected of {(status.Rows is { } rows ? N(rows) : "?")} rows";

    public static string Mqls(ImportStatus status) =>
        $"{N(status.HandedOff)} handed off of {N(status.Mqls)} MQLs" +
        (status.DeadLettered > 0 ? $", {N(status.DeadLettered)} dead-lettered" : "");

    private static string Pace(ImportStatus status)
    {
        if (status.IsOver)
        {
            return "";
        }

        var rate = status.RowsPerSecond is { } perSecond ? string.Create(CultureInfo.InvariantCulture, $"; {perSecond:N0} rows/s") : "";
        var left = status.EstimatedSecondsLeft is { } seconds && seconds >= 0
            ? $", about {Durations.Describe(TimeSpan.FromSeconds(seconds))} left"
            : "";
        return rate + left;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
