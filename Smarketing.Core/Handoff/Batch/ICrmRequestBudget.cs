namespace Smarketing.Core.Handoff.Batch;

/// <summary>Who is spending CRM requests: a webhook lead's fast path, or an import's batches.</summary>
public enum CrmBudgetLane
{
    /// <summary>A single lead from a webhook (or the reconciler): may use the whole budget.</summary>
    Webhook,

    /// <summary>Batches of an import: may use at most the import share of each window, so webhook leads always find room.</summary>
    Import,
}

/// <summary>
/// The CRM request budget shared by every instance of the app (a row per provider and window in Table Storage): the app
/// never sends the CRM more requests than the configured rate, whatever the number of instances.
/// </summary>
public interface ICrmRequestBudget
{
    /// <summary>
    /// Takes <paramref name="requests"/> requests of <paramref name="provider"/>'s budget for <paramref name="lane"/>; when
    /// the window has no room, takes nothing and says when to try again.
    /// </summary>
    Task<CrmBudgetGrant> TryTakeAsync(string provider, int requests, CrmBudgetLane lane, CancellationToken cancellationToken);

    /// <summary>The CRM said to slow down (429, <c>Retry-After</c>): no instance takes from the budget before <paramref name="until"/>.</summary>
    Task BackOffAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken);
}

/// <summary>The answer of <see cref="ICrmRequestBudget.TryTakeAsync"/>.</summary>
/// <param name="Granted">True when the requests were taken.</param>
/// <param name="RetryAt">When refused, the start of the next window with room (on the app's clock).</param>
public readonly record struct CrmBudgetGrant(bool Granted, DateTimeOffset? RetryAt)
{
    /// <summary>Granted.</summary>
    public static CrmBudgetGrant Yes { get; } = new(true, null);

    /// <summary>Refused until <paramref name="retryAt"/>.</summary>
    public static CrmBudgetGrant NotBefore(DateTimeOffset retryAt) => new(false, retryAt);
}

/// <summary>
/// Thrown by a CRM request that the shared budget refused: no request was sent, and the work waits until
/// <see cref="RetryAt"/> by delaying its queue message (never by sleeping in an invocation). Not a state of the CRM: the
/// circuit stays as it is.
/// </summary>
public sealed class CrmBudgetExhaustedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CrmBudgetExhaustedException(string provider, CrmBudgetLane lane, DateTimeOffset retryAt)
        : base($"The {lane} share of the {provider} request budget is spent for this window; the work waits until {retryAt:O}.")
    {
        Provider = provider;
        Lane = lane;
        RetryAt = retryAt;
    }

    /// <summary>The provider whose budget is spent.</summary>
    public string Provider { get; }

    /// <summary>The lane that asked.</summary>
    public CrmBudgetLane Lane { get; }

    /// <summary>When the budget has room again.</summary>
    public DateTimeOffset RetryAt { get; }
}
