using Microsoft.Extensions.Options;
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
