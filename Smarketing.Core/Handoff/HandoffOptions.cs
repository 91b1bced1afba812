using Microsoft.Extensions.Options;

namespace Smarketing.Core.Handoff;

/// <summary>The handoff's own timing (section <c>Handoff</c>).</summary>
public sealed class HandoffOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Handoff";

    /// <summary>The shortest <see cref="ReconcileGrace"/> accepted.</summary>
    public static readonly TimeSpan MinReconcileGrace = TimeSpan.FromSeconds(5);

    /// <summary>The longest <see cref="ReconcileGrace"/> accepted.</summary>
    public static readonly TimeSpan MaxReconcileGrace = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a handoff's message may wait before the reconciler asks whether it is still in the queue: the most a lead
    /// whose message was never written (the process died between the ledger write and the enqueue) waits for a new one,
    /// plus the reconciler's schedule.
    /// </summary>
    public TimeSpan ReconcileGrace { get; set; } = DefaultReconcileGrace;

    /// <summary>The default <see cref="ReconcileGrace"/>: 5 minutes.</summary>
    public static TimeSpan DefaultReconcileGrace { get; } = TimeSpan.FromMinutes(5);
}

internal sealed class HandoffOptionsValidator : IValidateOptions<HandoffOptions>
{
    public ValidateOptionsResult Validate(string? name, HandoffOptions options) =>
        options.ReconcileGrace < HandoffOptions.MinReconcileGrace || options.ReconcileGrace > HandoffOptions.MaxReconcileGrace
            ? ValidateOptionsResult.Fail(
                $"Handoff:ReconcileGrace must be between {HandoffOptions.MinReconcileGrace:c} and {HandoffOptions.MaxReconcileGrace:c}; it is {options.ReconcileGrace:c}.")
            : ValidateOptionsResult.Success;
}
