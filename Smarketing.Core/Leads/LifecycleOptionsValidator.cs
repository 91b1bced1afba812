using Microsoft.Extensions.Options;

namespace Smarketing.Core.Leads;

/// <summary>Refuses a lifecycle configuration the contract cannot run on, naming the setting.</summary>
internal sealed class LifecycleOptionsValidator : IValidateOptions<LifecycleOptions>
{
    public ValidateOptionsResult Validate(string? name, LifecycleOptions options)
    {
        var failures = new List<string>();
        Check(options.DisqualificationReasons, "Lifecycle:DisqualificationReasons", failures);
        Check(options.ClosedLostReasons, "Lifecycle:ClosedLostReasons", failures);
        if (options.RecycleCooldown < TimeSpan.Zero)
        {
            failures.Add("Setting Lifecycle:RecycleCooldown must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(IList<ReasonCode> reasons, string setting, List<string> failures)
    {
        if (reasons.Count == 0)
        {
            failures.Add($"Setting {setting} must list at least one reason code.");
        }

        for (var i = 0; i < reasons.Count; i++)
        {
            var code = reasons[i].Code;
            if (string.IsNullOrWhiteSpace(code) || !code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                failures.Add($"Setting {setting}:{i}:Code ('{code}') must be UPPER_SNAKE_CASE letters, digits and underscores.");
            }
        }

        foreach (var dup in reasons.GroupBy(r => r.Code, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"Setting {setting} lists reason code '{dup.Key}' more than once.");
        }
    }
}
