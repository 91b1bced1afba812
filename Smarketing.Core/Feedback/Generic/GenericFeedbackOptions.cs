using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Intake.Generic;

namespace Smarketing.Core.Feedback.Generic;

/// <summary>
/// The generic JSON feedback endpoint (section <c>Feedback:Generic</c>): signed with Standard Webhooks, like the generic
/// lead intake, but with secrets of its own, so a key that can send leads cannot move them through the funnel.
/// </summary>
public sealed class GenericFeedbackOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Feedback:Generic";

    /// <summary>Comma-separated Standard Webhooks secrets (<c>whsec_...</c>); several may be active during a rotation.</summary>
    public string? Secrets { get; set; }

    /// <summary>
    /// Accept unsigned feedback while no secret is configured. Development only: outside
    /// <c>AZURE_FUNCTIONS_ENVIRONMENT=Development</c> the app refuses to start with it set.
    /// </summary>
    public bool AllowUnsigned { get; set; }

    /// <summary>The decoded keys of <see cref="Secrets"/>; undecodable entries are left out (the validator names them).</summary>
    public IReadOnlyList<byte[]> Keys() => StandardWebhooks.Keys(Secrets);
}

internal sealed class GenericFeedbackOptionsValidator : IValidateOptions<GenericFeedbackOptions>
{
    public ValidateOptionsResult Validate(string? name, GenericFeedbackOptions options) =>
        ListSetting.Parse(options.Secrets).Any(s => !StandardWebhooks.TryDecodeSecret(s, out var key) || key.Length < 16)
            ? ValidateOptionsResult.Fail("Setting Feedback:Generic:Secrets must list Standard Webhooks secrets: 'whsec_' followed by base64 of at least 16 random bytes.")
            : ValidateOptionsResult.Success;
}
