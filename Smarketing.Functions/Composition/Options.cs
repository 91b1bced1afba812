using Microsoft.Extensions.Options;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Composition;

/// <summary>The storage account of the pipeline: the same one the Functions host uses.</summary>
public sealed class StorageOptions
{
    public const string ConnectionSetting = "AzureWebJobsStorage";

    public string? ConnectionString { get; set; }
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? ValidateOptionsResult.Fail($"Setting {StorageOptions.ConnectionSetting} is missing: set it to UseDevelopmentStorage=true for Azurite, or to a storage account's connection string.")
            : ValidateOptionsResult.Success;
}

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
