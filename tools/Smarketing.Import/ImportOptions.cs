using System.Globalization;
using System.Text.RegularExpressions;

namespace Smarketing.Import;

/// <summary>
/// The checked command line with the environment's fallbacks. A class, not a record: a record's generated ToString
/// would print the keys.
/// </summary>
public sealed partial class ImportOptions
{
    public const string UrlVariable = "SMARKETING_URL";
    public const string FunctionKeyVariable = "SMARKETING_FUNCTION_KEY";
    public const string AdminKeyVariable = "SMARKETING_ADMIN_KEY";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".csv"] = "text/csv",
        [".jsonl"] = "application/x-ndjson",
        [".ndjson"] = "application/x-ndjson",
    };

    private ImportOptions()
    {
    }

    public required string FilePath { get; init; }

    public required string ContentType { get; init; }

    /// <summary>Ends with '/', so that relative paths keep a path prefix of the app's URL.</summary>
    public required Uri BaseUrl { get; init; }

    public string? Mapping { get; init; }

    public string? FunctionKey { get; init; }

    public string? AdminKey { get; init; }

    public string? IdempotencyKey { get; init; }

    public required string RejectedPath { get; init; }

    public required TimeSpan Poll { get; init; }

    public required TimeSpan Timeout { get; init; }

    public bool NoWait { get; init; }

    /// <summary>The options, or a <see cref="ImportAbortException"/> with <see cref="ImportExitCodes.Usage"/> naming what is wrong.</summary>
    public static ImportOptions Create(ImportSettings settings, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);

        var file = Path.GetFullPath(settings.File);
        if (!File.Exists(file))
        {
            throw Usage($"The lead list {file} does not exist.");
        }

        if (!ContentTypes.TryGetValue(Path.GetExtension(file), out var contentType))
        {
            throw Usage($"The lead list {file} is neither .csv nor .jsonl/.ndjson; the app reads only those.");
        }

        var url = NullIfBlank(settings.Url) ?? NullIfBlank(environment(UrlVariable));
        if (url is null)
        {
            throw Usage($"No app URL: pass --url (e.g. http://localhost:7071) or set {UrlVariable}.");
        }

        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl)
            || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(baseUrl.Query))
        {
            throw Usage($"The app URL '{url}' is not an http(s) base URL such as http://localhost:7071.");
        }

        var rejected = Path.GetFullPath(NullIfBlank(settings.Out) ?? Path.ChangeExtension(file, null) + ".rejected.csv");
        if (string.Equals(rejected, file, StringComparison.Ordinal))
        {
            throw Usage($"--out {rejected} is the lead list itself; the rejected rows would overwrite it.");
        }

        if (Directory.Exists(rejected))
        {
            throw Usage($"--out {rejected} is a directory; give the path of the CSV file to write.");
        }

        return new ImportOptions
        {
            FilePath = file,
            ContentType = contentType,
            BaseUrl = baseUrl,
            Mapping = NullIfBlank(settings.Mapping),
            FunctionKey = NullIfBlank(settings.FunctionKey) ?? NullIfBlank(environment(FunctionKeyVariable)),
            AdminKey = NullIfBlank(settings.AdminKey) ?? NullIfBlank(environment(AdminKeyVariable)),
            IdempotencyKey = NullIfBlank(settings.IdempotencyKey),
            RejectedPath = rejected,
            Poll = ParseDuration("--poll", settings.Poll),
            Timeout = ParseDuration("--timeout", settings.Timeout),
            NoWait = settings.NoWait,
        };
    }

    /// <summary>"500ms", "2s", "5m", "2h", "1h30m"; or a TimeSpan such as "00:00:02". Positive only.</summary>
    public static TimeSpan ParseDuration(string option, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text.Trim());
        if (match.Success)
        {
            foreach (Capture part in match.Groups["part"].Captures)
            {
                var unit = UnitPattern().Match(part.Value);
                var amount = double.Parse(unit.Groups["amount"].Value, CultureInfo.InvariantCulture);
                duration += unit.Groups["unit"].Value switch
                {
                    "ms" => TimeSpan.FromMilliseconds(amount),
                    "s" => TimeSpan.FromSeconds(amount),
                    "m" => TimeSpan.FromMinutes(amount),
                    _ => TimeSpan.FromHours(amount),
                };
            }
        }
        else if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration))
        {
            throw Usage($"{option} '{text}' is not a duration such as 500ms, 2s, 5m, 2h or 1h30m.");
        }

        return duration > TimeSpan.Zero ? duration : throw Usage($"{option} '{text}' must be longer than zero.");
    }

    private static ImportAbortException Usage(string message) => new(ImportExitCodes.Usage, message);

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)(?<unit>ms|s|m|h)$", RegexOptions.CultureInvariant)]
    private static partial Regex UnitPattern();
}
