using Microsoft.Extensions.Options;

namespace Smarketing.Core.Handoff.Batch;

/// <summary>
/// The CRM request budget every instance shares (section <c>Crm:Budget</c>, see <see cref="ICrmRequestBudget"/>): how many
/// requests each CRM may receive per window, and how much of each window an import may take. The sandbox has no budget.
/// </summary>
public sealed class CrmBudgetOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Crm:Budget";

    /// <summary>False to send every request without asking the budget (a CRM of one's own, a load test).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The share of each window the <see cref="CrmBudgetLane.Import"/> lane may take; webhook leads may take the whole window.</summary>
    public double ImportShare { get; set; } = 0.8;

    /// <summary>
    /// How many requests an instance takes from the shared row per write, spent locally afterwards: fewer storage round
    /// trips, at the price of a block's unused leftover when its window ends (lost, never more than the budget).
    /// </summary>
    public int BlockSize { get; set; } = 5;

    /// <summary>HubSpot's budget (section <c>Crm:Budget:HubSpot</c>).</summary>
    public CrmRateBudgetOptions HubSpot { get; set; } = new() { Requests = 17, Window = TimeSpan.FromSeconds(1) };

    /// <summary>Salesforce's budget (section <c>Crm:Budget:Salesforce</c>).</summary>
    public SalesforceBudgetOptions Salesforce { get; set; } = new();
}

/// <summary>A number of requests per fixed window.</summary>
public sealed class CrmRateBudgetOptions
{
    /// <summary>The requests allowed per <see cref="Window"/>; 0 for no limit.</summary>
    public int Requests { get; set; }

    /// <summary>The window's length; windows start on multiples of it since 0001-01-01 UTC.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Salesforce's budget: a share of the org's daily API limit per UTC day, the limit read from the last
/// <c>Sforce-Limit-Info</c> header seen (before any, <see cref="DailyLimit"/>), and an optional rate per short window.
/// </summary>
public sealed class SalesforceBudgetOptions
{
    /// <summary>The share of the org's daily API limit this app may spend per UTC day.</summary>
    public double DailyShare { get; set; } = 0.5;

    /// <summary>The org's daily API limit until a Salesforce answer reports it.</summary>
    public long DailyLimit { get; set; } = 100_000;

    /// <summary>Requests allowed per <see cref="Window"/> on top of the daily share; 0 (the default) for none.</summary>
    public int Requests { get; set; }

    /// <summary>The short window of <see cref="Requests"/>.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>One fixed window of a provider's budget.</summary>
/// <param name="Name">The window's name, unique per provider (<c>rate</c>, <c>daily</c>).</param>
/// <param name="Length">Its length; windows start on multiples of it.</param>
/// <param name="Requests">The requests allowed per window.</param>
/// <param name="ImportRequests">The part of them the import lane may take.</param>
public sealed record CrmBudgetWindow(string Name, TimeSpan Length, long Requests, long ImportRequests)
{
    /// <summary>The start of the window that holds <paramref name="now"/>.</summary>
    public DateTimeOffset StartOf(DateTimeOffset now) =>
        new(now.UtcTicks - (now.UtcTicks % Length.Ticks), TimeSpan.Zero);

    /// <summary>The requests <paramref name="lane"/> may still take of a window where <paramref name="webhook"/> and <paramref name="import"/> were taken.</summary>
    public long Room(CrmBudgetLane lane, long webhook, long import)
    {
        var total = Requests - webhook - import;
        return lane == CrmBudgetLane.Import ? Math.Min(total, ImportRequests - import) : total;
    }
}

/// <summary>The windows of each provider's budget, from <see cref="CrmBudgetOptions"/> and the org limit Salesforce last reported.</summary>
public sealed class CrmBudgetLimits(IOptions<CrmBudgetOptions> options, Salesforce.SalesforceApiUsage salesforceUsage)
{
    /// <summary>The daily window's name.</summary>
    public const string DailyWindow = "daily";

    /// <summary>The short window's name.</summary>
    public const string RateWindow = "rate";

    /// <summary>The options.</summary>
    public CrmBudgetOptions Options { get; } = options.Value;

    /// <summary>The windows of <paramref name="provider"/>'s budget, every one of which a request must find room in; none when it has no budget.</summary>
    public IReadOnlyList<CrmBudgetWindow> For(string provider)
    {
        if (!Options.Enabled)
        {
            return [];
        }

        var windows = new List<CrmBudgetWindow>(2);
        if (string.Equals(provider, HubSpot.HubSpotCrmClient.ProviderName, StringComparison.OrdinalIgnoreCase))
        {
            AddRate(windows, Options.HubSpot);
        }
        else if (string.Equals(provider, Salesforce.SalesforceCrmClient.ProviderName, StringComparison.OrdinalIgnoreCase))
        {
            AddRate(windows, new CrmRateBudgetOptions { Requests = Options.Salesforce.Requests, Window = Options.Salesforce.Window });
            var daily = (long)Math.Floor(Options.Salesforce.DailyShare * (salesforceUsage.Limit ?? Options.Salesforce.DailyLimit));
            windows.Add(new CrmBudgetWindow(DailyWindow, TimeSpan.FromDays(1), daily, Import(daily)));
        }

        return windows;
    }

    private void AddRate(List<CrmBudgetWindow> windows, CrmRateBudgetOptions rate)
    {
        if (rate.Requests > 0)
        {
            windows.Add(new CrmBudgetWindow(RateWindow, rate.Window, rate.Requests, Import(rate.Requests)));
        }
    }

    private long Import(long requests) => (long)Math.Floor(requests * Options.ImportShare);
}

internal sealed class CrmBudgetOptionsValidator : IValidateOptions<CrmBudgetOptions>
{
    public ValidateOptionsResult Validate(string? name, CrmBudgetOptions options)
    {
        const string s = CrmBudgetOptions.SectionName + ":";
        var failures = new List<string>();
        if (options.ImportShare is < 0 or > 1 || double.IsNaN(options.ImportShare))
        {
            failures.Add($"Setting {s}ImportShare ({options.ImportShare}) must be between 0 and 1.");
        }

        if (options.BlockSize is < 1 or > 100)
        {
            failures.Add($"Setting {s}BlockSize ({options.BlockSize}) must be between 1 and 100.");
        }

        Rate(options.HubSpot.Requests, options.HubSpot.Window, s + "HubSpot:", failures);
        Rate(options.Salesforce.Requests, options.Salesforce.Window, s + "Salesforce:", failures);
        if (options.Salesforce.DailyShare is <= 0 or > 1 || double.IsNaN(options.Salesforce.DailyShare))
        {
            failures.Add($"Setting {s}Salesforce:DailyShare ({options.Salesforce.DailyShare}) must be above 0 and at most 1.");
        }

        if (options.Salesforce.DailyLimit < 1)
        {
            failures.Add($"Setting {s}Salesforce:DailyLimit ({options.Salesforce.DailyLimit}) must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Rate(int requests, TimeSpan window, string prefix, List<string> failures)
    {
        if (requests < 0)
        {
            failures.Add($"Setting {prefix}Requests ({requests}) must be 0 (no limit) or more.");
        }

        // A window divides the day, so windows never straddle a UTC midnight differently on two instances.
        if (window < TimeSpan.FromSeconds(1) || window > TimeSpan.FromHours(1) || TimeSpan.TicksPerDay % window.Ticks != 0)
        {
            failures.Add($"Setting {prefix}Window ({window}) must be between 00:00:01 and 01:00:00 and divide a day evenly (e.g. 00:00:10).");
        }
    }
}
