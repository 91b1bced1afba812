using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Handoff;

/// <summary>
/// The state of one CRM as every app instance sees it (one row per provider, <see cref="ICrmStateStore"/>): closed, or
/// open since <see cref="Since"/> for <see cref="Condition"/>, with the next probe due at <see cref="NextProbeAt"/>.
/// </summary>
public sealed record CrmState
{
    /// <summary>The CRM provider the state is of.</summary>
    public required string Provider { get; init; }

    /// <summary>True while handoffs wait for the CRM instead of calling it.</summary>
    public bool Open { get; init; }

    /// <summary>Why it is open; once closed, why it was open last.</summary>
    public CrmCondition? Condition { get; init; }

    /// <summary>When it opened.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>When the next handoff may call the CRM to see whether it is back (the probe); while a probe runs, when its claim lapses.</summary>
    public DateTimeOffset? NextProbeAt { get; init; }

    /// <summary>The wait before the latest scheduled probe; a CRM still down waits twice as long next time.</summary>
    public TimeSpan? ProbeDelay { get; init; }

    /// <summary>How many probes failed since it opened.</summary>
    public int FailedProbes { get; init; }

    /// <summary>The CRM's last error, kept after it closes (no personal data: the handoff takes e-mail and phone out first).</summary>
    public string? LastError { get; init; }

    /// <summary>When it last closed.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>The storage concurrency tag as read; null when the provider has no row yet.</summary>
    public string? ETag { get; init; }

    /// <summary>The state of a CRM never seen failing.</summary>
    public static CrmState Closed(string provider) => new() { Provider = provider };
}

/// <summary>Where the <see cref="CrmState"/> of each provider is kept, shared by every app instance.</summary>
public interface ICrmStateStore
{
    /// <summary>The provider's state; <see cref="CrmState.Closed"/> (without an ETag) when it has none stored.</summary>
    Task<CrmState> ReadAsync(string provider, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="state"/> if the stored state is still the one its <see cref="CrmState.ETag"/> names (no row
    /// when null); false, and nothing written, when another instance wrote first.
    /// </summary>
    Task<bool> TryWriteAsync(CrmState state, CancellationToken cancellationToken);
}

/// <summary>What <see cref="CrmCircuit.EnterAsync"/> decided for one handoff.</summary>
public sealed record CircuitPass
{
    /// <summary>True when the handoff may call the CRM.</summary>
    public bool Proceed => DeferUntil is null;

    /// <summary>True when this handoff is the probe of an open circuit: its outcome closes or reschedules it.</summary>
    public bool IsProbe { get; init; }

    /// <summary>When the handoff should try again, for one that must not call the CRM now.</summary>
    public DateTimeOffset? DeferUntil { get; init; }

    /// <summary>The state the decision was made on.</summary>
    public required CrmState State { get; init; }
}

/// <summary>
/// A CRM that is down, rate-limited or refusing our credentials is a state of the CRM, not of each lead. The first
/// handoff that fails with a <see cref="CrmTransientException"/> naming a <see cref="CrmCondition"/> opens the circuit
/// with a probe schedule (down: <see cref="CrmCircuitOptions.ProbeDelay"/> doubling to
/// <see cref="CrmCircuitOptions.MaxProbeDelay"/>; throttled: the CRM's <c>Retry-After</c>; daily limit and refused
/// credentials: their own delays). While it is open a handoff does not call the CRM but waits for the next probe; one
/// handoff at a time, on any instance, claims the probe under the row's ETag; its success closes the circuit, its failure
/// reschedules the next probe. The state is one row per provider, so every instance agrees.
/// </summary>
public sealed class CrmCircuit(ICrmStateStore store, ICrmClient crm, IOptions<CrmOptions> options, TimeProvider timeProvider, ILogger<CrmCircuit> logger)
{
    // Attempts at a write that other instances keep winning; after them the handoff waits for the next probe anyway.
    private const int MaxRaces = 8;

    private readonly CrmCircuitOptions _options = options.Value.Circuit;

    // A probe that never reports (its process died) gives way to another after the longest a handoff spends on the CRM.
    private readonly TimeSpan _probeLease = options.Value.Resilience.TotalTimeout;

    /// <summary>The CRM the circuit is of.</summary>
    public string Provider => crm.Provider;

    /// <summary>The CRM's state now.</summary>
    public Task<CrmState> ReadAsync(CancellationToken cancellationToken) => store.ReadAsync(crm.Provider, cancellationToken);

    /// <summary>
    /// Decides whether a handoff may call the CRM: yes while the circuit is closed; while it is open, only the one handoff
    /// that claims a due probe; every other handoff is told when to try again.
    /// </summary>
    public async Task<CircuitPass> EnterAsync(CancellationToken cancellationToken)
    {
        CrmState state = CrmState.Closed(crm.Provider);
        for (var race = 0; race < MaxRaces; race++)
        {
            state = await store.ReadAsync(crm.Provider, cancellationToken);
            if (!state.Open)
            {
                return new CircuitPass { State = state };
            }

            var now = timeProvider.GetUtcNow();
            if (state.NextProbeAt is { } due && now < due)
            {
                return new CircuitPass { State = state, DeferUntil = due };
            }

            var claimed = state with { NextProbeAt = now + _probeLease };
            if (await store.TryWriteAsync(claimed, cancellationToken))
            {
                logger.CrmProbeClaimed(crm.Provider, state.Condition?.ToString() ?? "unknown", state.FailedProbes);
                return new CircuitPass { State = claimed, IsProbe = true };
            }
        }

        return new CircuitPass { State = state, DeferUntil = timeProvider.GetUtcNow() + _options.ProbeDelay };
    }

    /// <summary>
    /// Records that a handoff found the CRM failing as a whole: opens the circuit, or reschedules the probe when
    /// <paramref name="pass"/> was the probe (or the probe is overdue). A handoff that was let through before another
    /// instance opened the circuit leaves that instance's schedule alone. Returns the state now.
    /// </summary>
    public async Task<CrmState> RecordFailureAsync(CrmTransientException failure, CircuitPass pass, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(pass);
        var condition = failure.Condition ?? throw new ArgumentException("The failure names no CRM condition.", nameof(failure));
        CrmState state = pass.State;
        for (var race = 0; race < MaxRaces; race++)
        {
            state = await store.ReadAsync(crm.Provider, cancellationToken);
            var now = timeProvider.GetUtcNow();
            if (state.Open && !pass.IsProbe && state.NextProbeAt is { } due && due > now)
            {
                return state;
            }

            var delay = NextDelay(state, condition, failure.RetryAfter);
            var next = state with
            {
                Open = true,
                Condition = condition,
                Since = state.Open ? state.Since : now,
                NextProbeAt = now + delay,
                ProbeDelay = delay,
                FailedProbes = state.Open ? state.FailedProbes + 1 : 0,
                LastError = error,
            };
            if (await store.TryWriteAsync(next, cancellationToken))
            {
                if (state.Open)
                {
                    logger.CrmProbeFailed(crm.Provider, condition.ToString(), next.FailedProbes, next.NextProbeAt!.Value);
                }
                else
                {
                    logger.CrmCircuitOpened(crm.Provider, condition.ToString(), next.NextProbeAt!.Value, error);
                }

                return next;
            }
        }

        return state;
    }

    /// <summary>Records that a handoff reached the CRM (it upserted, or refused the record itself): the probe closes the circuit.</summary>
    public async Task RecordReachedAsync(CircuitPass pass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pass);
        if (!pass.IsProbe)
        {
            return;
        }

        for (var race = 0; race < MaxRaces; race++)
        {
            var state = await store.ReadAsync(crm.Provider, cancellationToken);
            if (!state.Open)
            {
                return;
            }

            var now = timeProvider.GetUtcNow();
            // The last condition and error stay on the row, so the status page can say what the CRM last went through.
            var closed = state with { Open = false, Since = null, NextProbeAt = null, ProbeDelay = null, FailedProbes = 0, ClosedAt = now };
            if (await store.TryWriteAsync(closed, cancellationToken))
            {
                logger.CrmCircuitClosed(crm.Provider, state.Condition?.ToString() ?? "unknown", now - (state.Since ?? now));
                return;
            }
        }
    }

    /// <summary>
    /// Gives up the probe <paramref name="pass"/> claimed without having called the CRM (its lead needed no handoff any
    /// more), so the next handoff probes at once instead of after the claim lapses.
    /// </summary>
    public async Task ReleaseProbeAsync(CircuitPass pass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pass);
        if (!pass.IsProbe)
        {
            return;
        }

        var state = await store.ReadAsync(crm.Provider, cancellationToken);
        if (state.Open && state.NextProbeAt == pass.State.NextProbeAt)
        {
            await store.TryWriteAsync(state with { NextProbeAt = timeProvider.GetUtcNow() }, cancellationToken);
        }
    }

    /// <summary>When a handoff told to wait until <paramref name="until"/> should come back: a little after, spread, and never further than <see cref="CrmCircuitOptions.MaxDeferral"/>.</summary>
    public DateTimeOffset DeferralTime(DateTimeOffset until)
    {
        var now = timeProvider.GetUtcNow();
        var jitter = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * _options.DeferralJitter.TotalMilliseconds);
        var at = (until > now ? until : now) + jitter;
        var latest = now + _options.MaxDeferral;
        return at < latest ? at : latest;
    }

    private TimeSpan NextDelay(CrmState state, CrmCondition condition, TimeSpan? retryAfter)
    {
        var delay = condition switch
        {
            CrmCondition.Down when state.Open && state.Condition == CrmCondition.Down && state.ProbeDelay is { } last => last + last,
            CrmCondition.Down => _options.ProbeDelay,
            CrmCondition.Throttled => retryAfter is { } wait && wait > TimeSpan.Zero ? wait : _options.ProbeDelay,
            CrmCondition.DailyLimit => retryAfter is { } wait && wait > _options.DailyLimitProbeDelay ? wait : _options.DailyLimitProbeDelay,
            CrmCondition.CredentialsRefused or CrmCondition.Misconfigured => _options.CredentialsProbeDelay,
            _ => _options.ProbeDelay,
        };
        if (condition == CrmCondition.Down && delay > _options.MaxProbeDelay)
        {
            delay = _options.MaxProbeDelay;
        }

        return delay > _options.MaxDeferral ? _options.MaxDeferral : delay;
    }
}
