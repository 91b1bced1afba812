using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The lead ledger in Table Storage: one partition per lead (so leads never contend), one row. History and
/// explanation are JSON columns; the MQL snapshot is flattened so campaigns can be queried.
/// </summary>
internal sealed class TableLeadLedger(StorageLayout layout) : ILeadLedger
{
    public const string RowKey = "ledger";

    public async Task<Lead?> FindAsync(string leadId, CancellationToken cancellationToken)
    {
        var response = await layout.LeadLedger.GetEntityIfExistsAsync<TableEntity>(TableKeys.Encode(leadId), RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task SaveAsync(Lead lead, CancellationToken cancellationToken)
    {
        var entity = ToEntity(lead.ToMemento());
        try
        {
            var response = lead.ETag is null
                ? await layout.LeadLedger.AddEntityAsync(entity, cancellationToken)
                : await layout.LeadLedger.UpdateEntityAsync(entity, new ETag(lead.ETag), TableUpdateMode.Replace, cancellationToken);
            lead.MarkStored(response.Headers.ETag?.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new LedgerConflictException(lead.LeadId);
        }
    }

    public async IAsyncEnumerable<Lead> FindUnattemptedHandoffsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = layout.LeadLedger.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"HandoffPending eq {true} and Status eq {"MQL"} and HandoffFailures eq {0}"),
            cancellationToken: cancellationToken);
        await foreach (var entity in query)
        {
            yield return FromEntity(entity);
        }
    }

    internal static TableEntity ToEntity(LeadMemento record) =>
        new(TableKeys.Encode(record.LeadId), RowKey)
        {
            ["LeadId"] = record.LeadId,
            ["Status"] = record.Status.ToWire(),
            ["StatusSince"] = record.StatusSince,
            ["RecycleCount"] = record.RecycleCount,
            ["History"] = JsonSerializer.Serialize(record.History, SmarketingJson.Options),
            ["Email"] = record.Email,
            ["Phone"] = record.Phone,
            ["Industry"] = record.Industry,
            ["CompanySize"] = record.CompanySize,
            ["Country"] = record.Country,
            ["Campaign"] = record.Campaign,
            ["Source"] = record.Source,
            ["CrmId"] = record.CrmId,
            ["OwnerId"] = record.OwnerId,
            ["Score"] = record.Score,
            ["Explanation"] = JsonSerializer.Serialize(record.Explanation, SmarketingJson.Options),
            ["ModelVersion"] = record.ModelVersion,
            ["TriggerAction"] = record.TriggerAction,
            ["MqlAt"] = record.Mql?.At,
            ["MqlCampaign"] = record.Mql?.Campaign,
            ["MqlSource"] = record.Mql?.Source,
            ["MqlScore"] = record.Mql?.Score,
            ["MqlModelVersion"] = record.Mql?.ModelVersion,
            ["DisqualifiedAt"] = record.Disqualification?.At,
            ["DisqualifiedCampaign"] = record.Disqualification?.Campaign,
            ["DisqualifiedSource"] = record.Disqualification?.Source,
            ["DisqualifiedScore"] = record.Disqualification?.Score,
            ["DisqualifiedModelVersion"] = record.Disqualification?.ModelVersion,
            ["LastSubmissionHash"] = record.LastSubmissionHash,
            ["RecentDeliveries"] = string.Join('\n', record.RecentDeliveries),
            ["HandoffEnqueueFailed"] = record.Handoff.EnqueueFailed,
            ["HandoffRequeuedAt"] = record.Handoff.RequeuedAt,
            ["HandoffPending"] = record.Handoff.Pending,
            ["HandoffFailures"] = record.Handoff.Failures,
            ["LastHandoffError"] = record.Handoff.LastError,
            ["HandoffCrmRecordedAt"] = record.Handoff.CrmRecordedAt,
            ["HandedOffAt"] = record.Handoff.HandedOffAt,
            ["CreatedAt"] = record.CreatedAt,
            ["UpdatedAt"] = record.UpdatedAt,
        };

    internal static Lead FromEntity(TableEntity e)
    {
        if (!LeadStatusNames.TryParse(e.GetString("Status"), out var status))
        {
            throw new InvalidDataException($"Ledger row '{e.PartitionKey}' has an unknown status '{e.GetString("Status")}'.");
        }

        var history = JsonSerializer.Deserialize<List<LifecycleEntry>>(e.GetString("History") ?? "[]", SmarketingJson.Options) ?? [];
        var mqlAt = e.GetDateTimeOffset("MqlAt");
        var disqualifiedAt = e.GetDateTimeOffset("DisqualifiedAt");
        return Lead.Restore(new LeadMemento
        {
            LeadId = e.GetString("LeadId") ?? TableKeys.Decode(e.PartitionKey),
            Status = status,
            StatusSince = e.GetDateTimeOffset("StatusSince") ?? default,
            RecycleCount = e.GetInt32("RecycleCount") ?? 0,
            History = history,
            Email = e.GetString("Email"),
            Phone = e.GetString("Phone"),
            Industry = e.GetString("Industry"),
            CompanySize = e.GetInt32("CompanySize"),
            Country = e.GetString("Country"),
            Campaign = e.GetString("Campaign"),
            Source = e.GetString("Source"),
            CrmId = e.GetString("CrmId"),
            OwnerId = e.GetString("OwnerId"),
            Score = e.GetInt32("Score") ?? 0,
            Explanation = JsonSerializer.Deserialize<List<ScoreLine>>(e.GetString("Explanation") ?? "[]", SmarketingJson.Options) ?? [],
            ModelVersion = e.GetString("ModelVersion"),
            TriggerAction = e.GetString("TriggerAction"),
            Mql = mqlAt is null ? null : new LeadSnapshot
            {
                At = mqlAt.Value,
                Campaign = e.GetString("MqlCampaign"),
                Source = e.GetString("MqlSource"),
                Score = e.GetInt32("MqlScore") ?? 0,
                ModelVersion = e.GetString("MqlModelVersion") ?? string.Empty,
            },
            Disqualification = disqualifiedAt is null ? null : new LeadSnapshot
            {
                At = disqualifiedAt.Value,
                Campaign = e.GetString("DisqualifiedCampaign"),
                Source = e.GetString("DisqualifiedSource"),
                Score = e.GetInt32("DisqualifiedScore") ?? 0,
                ModelVersion = e.GetString("DisqualifiedModelVersion") ?? string.Empty,
            },
            LastSubmissionHash = e.GetString("LastSubmissionHash"),
            RecentDeliveries = (e.GetString("RecentDeliveries") ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Handoff = new HandoffState
            {
                EnqueueFailed = e.GetBoolean("HandoffEnqueueFailed") ?? false,
                RequeuedAt = e.GetDateTimeOffset("HandoffRequeuedAt"),
                Pending = e.GetBoolean("HandoffPending") ?? false,
                Failures = e.GetInt32("HandoffFailures") ?? 0,
                LastError = e.GetString("LastHandoffError"),
                CrmRecordedAt = e.GetDateTimeOffset("HandoffCrmRecordedAt"),
                HandedOffAt = e.GetDateTimeOffset("HandedOffAt"),
            },
            CreatedAt = e.GetDateTimeOffset("CreatedAt") ?? default,
            UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? default,
            ETag = e.ETag.ToString(),
        });
    }
}
