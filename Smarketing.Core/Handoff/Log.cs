using Microsoft.Extensions.Logging;

namespace Smarketing.Core.Handoff;

// Lead ids, record ids, codes and counts only: e-mail addresses, phone numbers and tokens never reach a log.
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "Salesforce access token obtained for instance {InstanceUrl}")]
    public static partial void SalesforceTokenObtained(this ILogger logger, string instanceUrl);

    [LoggerMessage(201, LogLevel.Information, "Salesforce rejected the cached access token (401); fetching a new one")]
    public static partial void SalesforceTokenRejected(this ILogger logger);

    [LoggerMessage(202, LogLevel.Information, "Salesforce API usage {Used}/{Limit} ({Percent}%)")]
    public static partial void SalesforceApiUsage(this ILogger logger, long used, long limit, int percent);

    [LoggerMessage(203, LogLevel.Warning, "Salesforce API usage {Used}/{Limit} ({Percent}%) is at or above the warning level of {WarnPercent}%")]
    public static partial void SalesforceApiUsageHigh(this ILogger logger, long used, long limit, int percent, int warnPercent);

    [LoggerMessage(204, LogLevel.Information, "Salesforce has no Lead {ExternalId} yet and requires {Fields}; creating it with the configured defaults for those fields")]
    public static partial void SalesforceCreateDefaultsUsed(this ILogger logger, string externalId, string fields);

    [LoggerMessage(205, LogLevel.Information, "{Provider} upserted lead {ExternalId} as record {RecordId} (created: {Created})")]
    public static partial void CrmUpserted(this ILogger logger, string provider, string externalId, string recordId, bool created);

    [LoggerMessage(206, LogLevel.Information, "HubSpot kept lifecycle stage {Current} for contact {RecordId}; clearing it to set {Target}")]
    public static partial void HubSpotStageCleared(this ILogger logger, string recordId, string current, string target);

    [LoggerMessage(207, LogLevel.Information, "HubSpot contact {RecordId} is at protected lifecycle stage {Current}; leaving it instead of setting {Target}")]
    public static partial void HubSpotStageProtected(this ILogger logger, string recordId, string current, string target);

    [LoggerMessage(208, LogLevel.Warning, "{Provider} is rate-limiting or unavailable for lead {ExternalId}: HTTP {Status} {Code}")]
    public static partial void CrmTransientFailure(this ILogger logger, string provider, string externalId, int status, string code);

    [LoggerMessage(3, LogLevel.Information, "Lead {LeadId} handed off to {Provider} as record {RecordId} (created: {Created}), owner {OwnerId}")]
    public static partial void HandedOff(this ILogger logger, string leadId, string provider, string recordId, bool created, string ownerId);

    [LoggerMessage(4, LogLevel.Information, "Lead {LeadId} is already {Status}; the redelivered handoff has nothing to do")]
    public static partial void HandoffAlreadyDone(this ILogger logger, string leadId, string status);

    [LoggerMessage(5, LogLevel.Warning, "Handoff of lead {LeadId} failed (failure {Failures}): {Error}")]
    public static partial void HandoffFailed(this ILogger logger, string leadId, int failures, string error);

    [LoggerMessage(8, LogLevel.Information, "Lead {LeadId} assigned to {OwnerId}")]
    public static partial void OwnerAssigned(this ILogger logger, string leadId, string ownerId);

    [LoggerMessage(10, LogLevel.Warning, "Lead {LeadId} was MQL since {MqlAt} with no handoff attempt; handoff re-enqueued")]
    public static partial void HandoffRequeued(this ILogger logger, string leadId, DateTimeOffset mqlAt);
}
