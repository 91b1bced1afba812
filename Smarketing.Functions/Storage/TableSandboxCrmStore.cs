using Azure;
using Azure.Data.Tables;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Sandbox;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The sandbox CRM's records in the <c>SandboxCrmLeads</c> table: partition <c>Lead</c>, row key the encoded
/// external id, one column per field of the article's CRM payload.
/// </summary>
public sealed class TableSandboxCrmStore(StorageLayout layout) : ISandboxCrmStore
{
    public const string PartitionKey = "Lead";

    public async Task<bool> UpsertAsync(SandboxCrmRecord record, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteAsync(record, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 0 or 408 or 429 or >= 500)
        {
            // The sandbox's storage is its "CRM": unreachable storage is a CRM that is down, and handoffs wait for it.
            throw new CrmTransientException($"The sandbox CRM's table could not be written: {ex.Message}", CrmCondition.Down, ex.Status == 0 ? null : ex.Status, null, ex);
        }
    }

    private async Task<bool> WriteAsync(SandboxCrmRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var lead = record.Lead;
        var entity = new TableEntity(PartitionKey, TableKeys.Encode(lead.ExternalId))
        {
            ["Id"] = record.RecordId,
            ["ExternalId"] = lead.ExternalId,
            ["Email"] = lead.Email,
            ["Phone"] = lead.Phone,
            ["LeadStatus"] = lead.LeadStatus,
            ["OwnerId"] = lead.OwnerId,
            ["MQL_Score__c"] = lead.MqlScore,
            ["Last_Interesting_Moment__c"] = lead.LastInterestingMoment,
            ["Campaign"] = lead.Campaign,
            ["Industry"] = lead.Industry,
            ["CompanySize"] = lead.CompanySize,
            ["Country"] = lead.Country,
            ["LastModifiedDate"] = record.ModifiedAt,
        };

        try
        {
            entity["CreatedDate"] = record.ModifiedAt;
            await layout.SandboxCrm.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The record exists: update it in place and keep its creation date, as an upsert does.
            entity.Remove("CreatedDate");
            if (lead.AlreadyUpserted)
            {
                // A retry after an upsert that reached the sandbox: owner and status are create-only, so what
                // was changed in the record since stands.
                entity.Remove("OwnerId");
                entity.Remove("LeadStatus");
            }

            await layout.SandboxCrm.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
            return false;
        }
    }
}
