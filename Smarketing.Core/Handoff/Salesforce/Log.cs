using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff.Salesforce;

// Instance URLs, lead ids and counts only: e-mail addresses, phone numbers, tokens and secrets never reach a log.
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "Salesforce access token obtained for instance {InstanceUrl}")]
    public static partial void SalesforceTokenObtained(this ILogger logger, Echoed instanceUrl);

    [LoggerMessage(201, LogLevel.Information, "Salesforce rejected the cached access token (401); fetching a new one")]
    public static partial void SalesforceTokenRejected(this ILogger logger);

    [LoggerMessage(202, LogLevel.Information, "Salesforce API usage {Used}/{Limit} ({Percent}%)")]
    public static partial void SalesforceApiUsage(this ILogger logger, long used, long limit, int percent);

    [LoggerMessage(203, LogLevel.Warning, "Salesforce API usage {Used}/{Limit} ({Percent}%) is at or above the warning level of {WarnPercent}%")]
    public static partial void SalesforceApiUsageHigh(this ILogger logger, long used, long limit, int percent, int warnPercent);

    [LoggerMessage(204, LogLevel.Information, "Salesforce has no Lead {ExternalId} yet and requires {Fields}; creating it with the configured defaults for those fields")]
    public static partial void SalesforceCreateDefaultsUsed(this ILogger logger, Echoed externalId, Echoed fields);

    [LoggerMessage(214, LogLevel.Information, "Salesforce Lead {ExternalId} was gone when the handoff was retried and was created again as {RecordId}; sending its owner and status")]
    public static partial void SalesforceCreateOnlyFieldsSent(this ILogger logger, Echoed externalId, Echoed recordId);

    [LoggerMessage(240, LogLevel.Information, "Salesforce collections upsert of {Count} leads: {Succeeded} succeeded, {Refused} refused, {Retry} to retry")]
    public static partial void SalesforceBatchUpserted(this ILogger logger, int count, int succeeded, int refused, int retry);

    [LoggerMessage(241, LogLevel.Information, "Salesforce has no Lead yet for {Count} leads of the batch and requires {Fields}; sending them again with the configured defaults for those fields")]
    public static partial void SalesforceBatchCreateDefaultsUsed(this ILogger logger, int count, Echoed fields);

    [LoggerMessage(242, LogLevel.Information, "Salesforce Bulk API job {JobId} started for {Count} leads")]
    public static partial void SalesforceBulkJobStarted(this ILogger logger, Echoed jobId, int count);

    [LoggerMessage(243, LogLevel.Information, "Salesforce Bulk API job {JobId} complete: {Succeeded} records succeeded, {Failed} failed")]
    public static partial void SalesforceBulkJobDone(this ILogger logger, Echoed jobId, int succeeded, int failed);

    [LoggerMessage(244, LogLevel.Warning, "Salesforce Bulk API job {JobId} could not be aborted after its upload failed ({Failure}); an open job is never processed")]
    public static partial void SalesforceBulkJobNotAborted(this ILogger logger, Echoed jobId, Echoed failure);
}
