namespace Smarketing.Core.Crm;

/// <summary>Picks the rep who gets a lead that arrived without an owner.</summary>
public interface IOwnerAssigner
{
    /// <summary>Returns the next rep for <paramref name="leadId"/>.</summary>
    Task<string> AssignAsync(string leadId, CancellationToken cancellationToken);
}
