using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Smarketing.Core.Handoff;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Crm;

/// <summary>
/// The embedded sandbox CRM: upserts leads into the <c>SandboxCrmLeads</c> table with the article's field
/// names, keyed by external id, so the whole flow runs with no CRM account and the result can be read in
/// Azurite. Like a real CRM's upsert by external id, calling it twice leaves one record.
/// </summary>
public sealed class SandboxCrmClient(StorageLayout layout, TimeProvider timeProvider) : ICrmClient
{
    public const string PartitionKey = "Lead";

    public string Provider => "Sandbox";

    public static string RecordIdFor(string externalId) =>
        "SBX" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)).AsSpan(0, 8));

    public async Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var recordId = RecordIdFor(lead.ExternalId);
        var now = timeProvider.GetUtcNow();
        var entity = new TableEntity(PartitionKey, TableKeys.Encode(lead.ExternalId))
        {
            ["Id"] = recordId,
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
            ["LastModifiedDate"] = now,
        };

        try
        {
            entity["CreatedDate"] = now;
            await layout.SandboxCrm.AddEntityAsync(entity, cancellationToken);
            return new CrmUpsertResult { RecordId = recordId, Created = true };
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The record exists: update it in place and keep its creation date, as an upsert does.
            entity.Remove("CreatedDate");
            await layout.SandboxCrm.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
            return new CrmUpsertResult { RecordId = recordId, Created = false };
        }
    }
}
