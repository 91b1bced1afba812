using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Intake.Generic;

internal sealed class GenericSourceOptionsValidator : IValidateOptions<GenericSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, GenericSourceOptions options)
    {
        var failures = new List<string>();
        if (ListSetting.Parse(options.Secrets).Any(s => !StandardWebhooks.TryDecodeSecret(s, out var key) || key.Length < 16))
        {
            failures.Add("Setting Intake:Generic:Secrets must list Standard Webhooks secrets: 'whsec_' followed by base64 of at least 16 random bytes.");
        }

        if (BodyLimits.Problem(GenericSourceOptions.SectionName, options.MaxBodyBytes) is { } limit)
        {
            failures.Add(limit);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
