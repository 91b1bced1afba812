using Microsoft.Extensions.Options;

namespace Smarketing.Core.Feedback;

internal sealed class FeedbackSummaryOptionsValidator : IValidateOptions<FeedbackSummaryOptions>
{
    public ValidateOptionsResult Validate(string? name, FeedbackSummaryOptions options)
    {
        var failures = new List<string>();
        if (options.DefaultDays is < 1 or > 3660)
        {
            failures.Add("Setting Feedback:Summary:DefaultDays must be from 1 to 3660.");
        }

        if (options.MaxConcurrent is < 1 or > 1000)
        {
            failures.Add("Setting Feedback:Summary:MaxConcurrent must be from 1 to 1000.");
        }

        if (options.CounterShards is < 1 or > 64)
        {
            failures.Add("Setting Feedback:Summary:CounterShards must be from 1 to 64.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
