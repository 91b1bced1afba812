using Microsoft.Extensions.Options;

namespace Smarketing.Core.Feedback.SalesforceFlow;

internal sealed class SalesforceFlowOptionsValidator : IValidateOptions<SalesforceFlowOptions>
{
    public ValidateOptionsResult Validate(string? name, SalesforceFlowOptions options)
    {
        var failures = new List<string>();
        FeedbackSecrets.Validate(options.FlowSecrets, "Feedback:Salesforce:FlowSecrets", urlSafe: false, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
