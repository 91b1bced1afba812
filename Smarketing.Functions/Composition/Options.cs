using Microsoft.Extensions.Options;

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
