using Microsoft.Extensions.Options;

namespace Smarketing.Core.Intake.Marketo;

internal sealed class MarketoSourceOptionsValidator : IValidateOptions<MarketoSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, MarketoSourceOptions options)
    {
        var failures = new List<string>();
        if (options.SecretList().Any(s => s.Length < 16))
        {
            failures.Add("Setting Intake:Marketo:Secrets lists a secret shorter than 16 characters; use a long random value.");
        }

        if (string.IsNullOrWhiteSpace(options.SecretHeader))
        {
            failures.Add("Setting Intake:Marketo:SecretHeader must name a header.");
        }

        if (BodyLimits.Problem(MarketoSourceOptions.SectionName, options.MaxBodyBytes) is { } limit)
        {
            failures.Add(limit);
        }

        failures.AddRange(options.Mapping().Validate("Intake:Marketo"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
