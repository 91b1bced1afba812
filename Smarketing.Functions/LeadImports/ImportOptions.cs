using Microsoft.Extensions.Options;

namespace Smarketing.Functions.LeadImports;

/// <summary>Settings of the bulk import (section <c>Imports</c>).</summary>
public sealed class ImportOptions
{
    public const string SectionName = "Imports";

    /// <summary>The largest upload accepted, in bytes (default 100 MB: about 400,000 rows of a typical list).</summary>
    public long MaxBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// How many rows one chunk (one queue message, one invocation) holds (default 2000: with half of them MQLs, every
    /// HubSpot batch of 100 and every Salesforce collection of 200 is full; a chunk's last batch is the only partial one).
    /// </summary>
    public int ChunkSize { get; set; } = 2000;

    /// <summary>How many leads of a chunk are scored and recorded at once (default 16).</summary>
    public int Parallelism { get; set; } = 16;

    /// <summary>
    /// The most leads of one handoff batch; 0 (default) takes the CRM's own maximum (HubSpot 100, Salesforce 200, the
    /// sandbox 100).
    /// </summary>
    public int MaxBatchSize { get; set; }

    /// <summary>Saved column mappings by name (<c>Imports:Mappings:{name}</c> = <c>"Column=field;Column=field"</c>), chosen with <c>?mapping={name}</c>.</summary>
    public Dictionary<string, string> Mappings { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How long the reconciler leaves an imported MQL to its batch before it hands the lead off alone (default 1 hour): a
    /// batch can wait for the CRM's request budget much longer than a webhook lead's message waits in its queue.
    /// </summary>
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a batch waits before the records the CRM answered "not now" for are sent again (default 5 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the Salesforce Bulk handoff waits between two looks at a running Bulk API job (default 10 s).</summary>
    public TimeSpan BulkPollInterval { get; set; } = TimeSpan.FromSeconds(10);
}

internal sealed class ImportOptionsValidator : IValidateOptions<ImportOptions>
{
    public ValidateOptionsResult Validate(string? name, ImportOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBytes is < 1024 or > 2L * 1024 * 1024 * 1024)
        {
            failures.Add($"{ImportOptions.SectionName}:MaxBytes must be between 1 KB and 2 GB; it is {options.MaxBytes}.");
        }

        if (options.ChunkSize is < 1 or > 5000)
        {
            failures.Add($"{ImportOptions.SectionName}:ChunkSize must be between 1 and 5000; it is {options.ChunkSize}.");
        }

        if (options.Parallelism is < 1 or > 64)
        {
            failures.Add($"{ImportOptions.SectionName}:Parallelism must be between 1 and 64; it is {options.Parallelism}.");
        }

        if (options.MaxBatchSize is < 0 or > 200)
        {
            failures.Add($"{ImportOptions.SectionName}:MaxBatchSize must be between 0 (the CRM's own maximum) and 200; it is {options.MaxBatchSize}.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromHours(1))
        {
            failures.Add($"{ImportOptions.SectionName}:RetryDelay must be between 0 and 1 hour; it is {options.RetryDelay:c}.");
        }

        if (options.ReconcileAfter < TimeSpan.FromMinutes(1) || options.ReconcileAfter > TimeSpan.FromDays(7))
        {
            failures.Add($"{ImportOptions.SectionName}:ReconcileAfter must be between 1 minute and 7 days; it is {options.ReconcileAfter:c}.");
        }

        if (options.BulkPollInterval < TimeSpan.FromMilliseconds(100) || options.BulkPollInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{ImportOptions.SectionName}:BulkPollInterval must be between 100 ms and 1 hour; it is {options.BulkPollInterval:c}.");
        }

        foreach (var (mappingName, text) in options.Mappings)
        {
            if (Core.Imports.ImportMapping.TryParse(text, out var errors) is null)
            {
                failures.Add($"{ImportOptions.SectionName}:Mappings:{mappingName} is not a valid mapping: {string.Join(" ", errors)}");
            }
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
