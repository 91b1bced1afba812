using Microsoft.Extensions.Options;

namespace Smarketing.Core.Feedback;

internal sealed class FeedbackSummaryOptionsValidator : IValidateOptions<FeedbackSummaryOptions>
{
    public ValidateOptionsResult Validate(string? name, FeedbackSummaryOptions options) =>
        options.DefaultDays is < 1 or > 3660
            ? ValidateOptionsResult.Fail("Setting Feedback:Summary:DefaultDays must be from 1 to 3660.")
            : ValidateOptionsResult.Success;
}
