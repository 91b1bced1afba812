using System.Globalization;

namespace Smarketing.Import;

internal static class Durations
{
    /// <summary>"750ms", "42s", "3m 05s", "2h 07m".</summary>
    public static string Describe(TimeSpan duration) =>
        duration switch
        {
            { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0}ms"),
            { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalSeconds}s"),
            { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes}m {duration.Seconds:00}s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h {duration.Minutes:00}m"),
        };
}
