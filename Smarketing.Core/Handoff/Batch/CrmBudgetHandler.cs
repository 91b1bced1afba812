using System.Net;
using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.Batch;

/// <summary>
/// The innermost handler of a CRM's HttpClient (below the resilience pipeline, so it sees each attempt): every request
/// on the wire takes one from the shared <see cref="ICrmRequestBudget"/> for the lane of <see cref="CrmBudgetScope"/>, or
/// is not sent at all (<see cref="CrmBudgetExhaustedException"/>, which the pipeline does not retry); a 429 stops every
/// instance until its <c>Retry-After</c>.
/// </summary>
internal sealed class CrmBudgetHandler(string provider, ICrmRequestBudget budget, TimeProvider timeProvider, ILogger<CrmBudgetHandler> logger) : DelegatingHandler
{
    /// <summary>The back-off after a 429 without <c>Retry-After</c>.</summary>
    internal static readonly TimeSpan DefaultBackOff = TimeSpan.FromSeconds(10);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var lane = CrmBudgetScope.Current;
        var grant = await budget.TryTakeAsync(provider, 1, lane, cancellationToken);
        if (!grant.Granted)
        {
            var retryAt = grant.RetryAt ?? timeProvider.GetUtcNow() + DefaultBackOff;
            logger.CrmBudgetRefused(provider, lane.ToString(), retryAt);
            throw new CrmBudgetExhaustedException(provider, lane, retryAt);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var now = timeProvider.GetUtcNow();
            var header = response.Headers.RetryAfter;
            var until = header?.Delta is { } delta && delta > TimeSpan.Zero ? now + delta
                : header?.Date is { } date && date > now ? date
                : now + DefaultBackOff;
            logger.CrmBudgetBackOff(provider, until);
            await budget.BackOffAsync(provider, until, cancellationToken);
        }

        return response;
    }
}

/// <summary>The budget of a composition without shared storage (the CRM layer alone): every request is granted.</summary>
internal sealed class UnlimitedCrmRequestBudget : ICrmRequestBudget
{
    public Task<CrmBudgetGrant> TryTakeAsync(string provider, int requests, CrmBudgetLane lane, CancellationToken cancellationToken) =>
        Task.FromResult(CrmBudgetGrant.Yes);

    public Task BackOffAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class Log
{
    [LoggerMessage(440, LogLevel.Information, "The {Lane} share of the {Provider} request budget is spent: the request is not sent, its work waits until {RetryAt}")]
    public static partial void CrmBudgetRefused(this ILogger logger, Echoed provider, Echoed lane, DateTimeOffset retryAt);

    [LoggerMessage(441, LogLevel.Warning, "{Provider} answered 429: no instance sends it a request before {Until}")]
    public static partial void CrmBudgetBackOff(this ILogger logger, Echoed provider, DateTimeOffset until);
}
