using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback.SalesforceOutbound;

// Also checks Feedback:Salesforce:Fields, which the Flow callouts read too: once here, so a bad map is named once.
internal sealed class SalesforceOutboundOptionsValidator(IOptions<LifecycleOptions> lifecycle) : IValidateOptions<SalesforceOutboundOptions>
{
    public ValidateOptionsResult Validate(string? name, SalesforceOutboundOptions options)
    {
        var failures = new List<string>();
        foreach (var id in ListSetting.Parse(options.OrganizationIds))
        {
            if (id.Length is not (15 or 18) || !id.StartsWith("00D", StringComparison.Ordinal) || !id.All(char.IsAsciiLetterOrDigit))
            {
                failures.Add($"Setting Feedback:Salesforce:OrganizationIds has '{id}', which is not a Salesforce org id (15 or 18 letters and digits starting with 00D; Setup > Company Information).");
            }
        }

        FeedbackSecrets.Validate(options.OutboundMessageSecrets, "Feedback:Salesforce:OutboundMessageSecrets", urlSafe: true, failures);
        if (!string.IsNullOrEmpty(options.OutboundMessageSecrets) && string.IsNullOrWhiteSpace(options.OrganizationIds))
        {
            failures.Add("Setting Feedback:Salesforce:OrganizationIds must name the org(s) whose Outbound Messages are accepted when Feedback:Salesforce:OutboundMessageSecrets is set.");
        }

        options.Fields.Validate(SalesforceOutboundOptions.FieldsSetting, lifecycle, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
