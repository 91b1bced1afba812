using System.Globalization;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>
/// Reads the org's API usage from the <c>Sforce-Limit-Info</c> header of every Salesforce answer and logs it,
/// as a warning from <see cref="SalesforceOptions.ApiUsageWarningPercent"/> on: the budget is shared with the
/// customer's other integrations, so running low is worth an alert before requests are refused. The limit it reads sizes
/// the daily window of the request budget (<see cref="SalesforceApiUsage"/>).
/// </summary>
internal sealed class SalesforceApiLimitHandler(SalesforceOptions options, SalesforceApiUsage usage, ILogger<SalesforceApiLimitHandler> logger) : DelegatingHandler
{
    /// <summary>The header that reports the org's API usage.</summary>
    public const string LimitInfoHeader = "Sforce-Limit-Info";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues(LimitInfoHeader, out var values))
        {
            Read(values);
        }

        return response;
    }

    private void Read(IEnumerable<string> values)
    {
        // e.g. "api-usage=18/5000" (possibly followed by ", per-app-api-usage=...").
        foreach (var part in ListSetting.Parse(string.Join(',', values)))
        {
            if (!part.StartsWith("api-usage=", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var numbers = part["api-usage=".Length..].Split('/');
            if (numbers.Length == 2
                && long.TryParse(numbers[0], NumberStyles.None, CultureInfo.InvariantCulture, out var used)
                && long.TryParse(numbers[1], NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
                && limit > 0)
            {
                usage.Report(used, limit);
                var percent = (int)(used * 100 / limit);
                if (percent >= options.ApiUsageWarningPercent)
                {
                    logger.SalesforceApiUsageHigh(used, limit, percent, options.ApiUsageWarningPercent);
                }
                else
                {
                    logger.SalesforceApiUsage(used, limit, percent);
                }
            }
        }
    }
}
