using Microsoft.Extensions.Options;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;

namespace Smarketing.Functions.Composition;

/// <summary>The storage account of the pipeline: the same one the Functions host uses.</summary>
public sealed class StorageOptions
{
    public const string ConnectionSetting = "AzureWebJobsStorage";

    public string? ConnectionString { get; set; }
}

/// <summary>Where the scoring model comes from (section <c>Scoring</c>).</summary>
public sealed class ScoringOptions
{
    public const string SectionName = "Scoring";

    /// <summary>Path of a JSON scoring model; the shipped default model when empty.</summary>
    public string? ModelPath { get; set; }
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? ValidateOptionsResult.Fail($"Setting {StorageOptions.ConnectionSetting} is missing: set it to UseDevelopmentStorage=true for Azurite, or to a storage account's connection string.")
            : ValidateOptionsResult.Success;
}

internal sealed class ScoringOptionsValidator : IValidateOptions<ScoringOptions>
{
    public ValidateOptionsResult Validate(string? name, ScoringOptions options)
    {
        try
        {
            _ = ScoringModelSource.Load(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is ScoringModelException or IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"Setting Scoring:ModelPath ('{options.ModelPath}'): {ex.Message}");
        }
    }
}

internal static class ScoringModelSource
{
    public static ScoringModel Load(ScoringOptions options) =>
        string.IsNullOrWhiteSpace(options.ModelPath)
            ? ScoringModel.LoadDefault()
            : ScoringModel.Load(File.ReadAllText(options.ModelPath));
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
