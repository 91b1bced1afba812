using Microsoft.Extensions.Options;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback.HubSpot;

internal sealed class HubSpotFeedbackOptionsValidator(IOptions<LifecycleOptions> lifecycle) : IValidateOptions<HubSpotFeedbackOptions>
{
    public ValidateOptionsResult Validate(string? name, HubSpotFeedbackOptions options)
    {
        var failures = new List<string>();
        FeedbackSecrets.Validate(options.ClientSecrets, "Feedback:HubSpot:ClientSecrets", urlSafe: false, failures);
        FeedbackSecrets.Validate(options.Secrets, "Feedback:HubSpot:Secrets", urlSafe: false, failures);
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl) &&
            (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("https" or "http") ||
             !string.IsNullOrEmpty(baseUrl.Query)))
        {
            failures.Add($"Setting Feedback:HubSpot:PublicBaseUrl ('{options.PublicBaseUrl}') must be the absolute URL HubSpot calls, e.g. https://<app>.azurewebsites.net, without a query.");
        }

        options.Fields.Validate(HubSpotFeedbackOptions.FieldsSetting, lifecycle, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
