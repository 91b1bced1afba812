using System.Security.Cryptography;
using System.Text;

namespace Smarketing.Core.Handoff.Sandbox;

/// <summary>
/// The embedded sandbox CRM: keeps leads in the app's own storage (<see cref="ISandboxCrmStore"/>) with the
/// article's field names, keyed by external id, so the whole flow runs with no CRM account and the result can
/// be read in Azurite. Like a real CRM's upsert by external id, calling it twice leaves one record.
/// </summary>
public sealed class SandboxCrmClient(ISandboxCrmStore store, TimeProvider timeProvider) : ICrmClient
{
    /// <summary>The provider name, the value of <c>Crm:Provider</c> that selects this CRM.</summary>
    public const string ProviderName = "Sandbox";

    /// <inheritdoc />
    public string Provider => ProviderName;

    /// <summary>The record id the sandbox gives the lead with <paramref name="externalId"/>: stable, like a CRM's.</summary>
    public static string RecordIdFor(string externalId) =>
        "SBX" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)).AsSpan(0, 8));

    /// <inheritdoc />
    public async Task<CrmUpsertResult> UpsertLeadAsync(CrmLeadUpsert lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var recordId = RecordIdFor(lead.ExternalId);
        var created = await store.UpsertAsync(
            new SandboxCrmRecord { RecordId = recordId, Lead = lead, ModifiedAt = timeProvider.GetUtcNow() },
            cancellationToken);
        return new CrmUpsertResult { RecordId = recordId, Created = created };
    }
}
