using System.Globalization;
using Azure.Data.Tables;
using Smarketing.Core.Storage;

namespace Smarketing.Functions.Storage;

/// <summary>
/// One row per disqualification, partitioned by campaign so "which reasons for this campaign since when"
/// is a single-partition query. The row key is lead + recycle cycle, so a redelivered webhook rewrites the
/// same row.
/// </summary>
internal sealed class TableDisqualificationFeedbackStore(StorageLayout layout) : IDisqualificationFeedbackStore
{
    public static string RowKey(string leadId, int cycle) =>
        TableKeys.Encode(leadId) + "_" + cycle.ToString("D4", CultureInfo.InvariantCulture);

    public Task UpsertAsync(DisqualificationFeedback feedback, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(TableKeys.Encode(feedback.Campaign), RowKey(feedback.LeadId, feedback.Cycle))
        {
            ["LeadId"] = feedback.LeadId,
            ["Campaign"] = feedback.Campaign,
            ["Source"] = feedback.Source,
            ["ReasonCode"] = feedback.ReasonCode,
            ["ReasonCategory"] = feedback.ReasonCategory,
            ["Note"] = feedback.Note,
            ["Score"] = feedback.Score,
            ["ModelVersion"] = feedback.ModelVersion,
            ["FromStatus"] = feedback.FromStatus,
            ["Rep"] = feedback.Rep,
            ["Cycle"] = feedback.Cycle,
            ["DisqualifiedAt"] = feedback.DisqualifiedAt,
        };
        return layout.DisqualificationFeedback.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }
}
