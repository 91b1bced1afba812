using Azure;
using Azure.Data.Tables;
using Smarketing.Core.Handoff;

namespace Smarketing.Functions.Storage;

/// <summary>
/// The CRM circuit's state, the table <c>CrmState</c>: partition <c>crm</c>, one row per provider (row key the provider
/// name), written only under the ETag it was read with, so several app instances agree on one state and one probe.
/// </summary>
internal sealed class TableCrmStateStore(StorageLayout layout) : ICrmStateStore
{
    private const string Partition = "crm";

    public async Task<CrmState> ReadAsync(string provider, CancellationToken cancellationToken)
    {
        var row = await layout.CrmState.GetEntityIfExistsAsync<TableEntity>(Partition, TableKeys.Encode(provider), cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return CrmState.Closed(provider);
        }

        var e = row.Value!;
        var condition = Enum.TryParse<CrmCondition>(e.GetString("Condition"), out var parsed) ? parsed : (CrmCondition?)null;
        var delayMs = e.GetInt64("ProbeDelayMs");
        return new CrmState
        {
            Provider = provider,
            Open = e.GetBoolean("Open") ?? false,
            Condition = condition,
            Since = e.GetDateTimeOffset("Since"),
            NextProbeAt = e.GetDateTimeOffset("NextProbeAt"),
            ProbeDelay = delayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            FailedProbes = e.GetInt32("FailedProbes") ?? 0,
            LastError = e.GetString("LastError"),
            ClosedAt = e.GetDateTimeOffset("ClosedAt"),
            ETag = e.ETag.ToString(),
        };
    }

    public async Task<bool> TryWriteAsync(CrmState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var entity = new TableEntity(Partition, TableKeys.Encode(state.Provider))
        {
            ["Provider"] = state.Provider,
            ["Open"] = state.Open,
            ["Condition"] = state.Condition?.ToString(),
            ["Since"] = state.Since,
            ["NextProbeAt"] = state.NextProbeAt,
            ["ProbeDelayMs"] = state.ProbeDelay is { } delay ? (long)delay.TotalMilliseconds : null,
            ["FailedProbes"] = state.FailedProbes,
            ["LastError"] = state.LastError is { Length: > 2000 } error ? error[..2000] : state.LastError,
            ["ClosedAt"] = state.ClosedAt,
        };
        try
        {
            if (state.ETag is null)
            {
                await layout.CrmState.AddEntityAsync(entity, cancellationToken);
            }
            else
            {
                await layout.CrmState.UpdateEntityAsync(entity, new ETag(state.ETag), TableUpdateMode.Replace, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }
}
