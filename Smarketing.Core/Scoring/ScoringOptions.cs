using Microsoft.Extensions.Options;

namespace Smarketing.Core.Scoring;

/// <summary>Where the scoring model comes from (section <c>Scoring</c>).</summary>
public sealed class ScoringOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Scoring";

    /// <summary>Path of a JSON scoring model; the shipped default model when empty.</summary>
    public string? ModelPath { get; set; }
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
