using Microsoft.Extensions.Options;

namespace Smarketing.Core.Intake.HubSpot;

internal sealed class HubSpotSourceOptionsValidator : IValidateOptions<HubSpotSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, HubSpotSourceOptions options)
    {
        var failures = new List<string>();
        if (options.ClientSecretList().Any(s => s.Length < 16))
        {
            failures.Add("Setting Intake:HubSpot:ClientSecrets lists a secret shorter than 16 characters; use the app's client secret.");
        }

        if (!string.IsNullOrEmpty(options.PublicBaseUrl) &&
            (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            failures.Add("Setting Intake:HubSpot:PublicBaseUrl must be an absolute http(s) URL such as https://my-app.azurewebsites.net.");
        }

        if (BodyLimits.Problem(HubSpotSourceOptions.SectionName, options.MaxBodyBytes) is { } limit)
        {
            failures.Add(limit);
        }

        failures.AddRange(options.Mapping().Validate("Intake:HubSpot"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
