using Microsoft.Extensions.Options;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The Functions host's queue settings the app must agree with (section <c>AzureFunctionsJobHost:extensions:queues</c>,
/// the app setting that overrides host.json for the host too). <see cref="HandOffMql"/> dead-letters a message on its
/// last delivery itself, before the host could move it to the poison queue with a time-to-live.
/// </summary>
public sealed class HandoffQueueOptions
{
    public const string SectionName = "AzureFunctionsJobHost:extensions:queues";

    public const string MaxDequeueCountSetting = SectionName + ":maxDequeueCount";

    /// <summary>How many deliveries the host makes before it poisons a message; host.json's value (5) unless overridden.</summary>
    public int MaxDequeueCount { get; set; } = 5;
}

internal sealed class HandoffQueueOptionsValidator : IValidateOptions<HandoffQueueOptions>
{
    public ValidateOptionsResult Validate(string? name, HandoffQueueOptions options) =>
        options.MaxDequeueCount is >= 1 and <= 100
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Setting {HandoffQueueOptions.MaxDequeueCountSetting} ({HandoffQueueOptions.MaxDequeueCountSetting.Replace(":", "__", StringComparison.Ordinal)}) is {options.MaxDequeueCount}; it must be between 1 and 100, as the Functions host requires.");
}
