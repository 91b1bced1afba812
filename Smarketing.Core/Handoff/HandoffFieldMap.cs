namespace Smarketing.Core.Handoff;

/// <summary>
/// The handoff's field map (Smarketing → CRM): which CRM field (Salesforce API name or HubSpot internal
/// property name) holds each value the handoff sends. An empty name means the value is not sent. Null values are never sent, so the handoff never
/// clears what a rep typed.
/// </summary>
public sealed class HandoffFieldMap
{
    /// <summary>The lead's e-mail address.</summary>
    public string? Email { get; set; }

    /// <summary>The lead's phone number.</summary>
    public string? Phone { get; set; }

    /// <summary>The lead status (<c>SAL</c> on handoff, after the provider's value mapping).</summary>
    public string? Status { get; set; }

    /// <summary>The owning rep's CRM user id.</summary>
    public string? Owner { get; set; }

    /// <summary>The MQL score (a number field).</summary>
    public string? Score { get; set; }

    /// <summary>The "last interesting moment": the activity that triggered the handoff.</summary>
    public string? LastInterestingMoment { get; set; }

    /// <summary>The campaign that produced the lead.</summary>
    public string? Campaign { get; set; }

    /// <summary>The company's industry.</summary>
    public string? Industry { get; set; }

    /// <summary>The company's head count (a number field).</summary>
    public string? CompanySize { get; set; }

    /// <summary>The lead's country.</summary>
    public string? Country { get; set; }

    /// <summary>Smarketing's lead id (HubSpot only; Salesforce keys the upsert on its external-id field).</summary>
    public string? LeadId { get; set; }

    /// <summary>Each configured (setting name, field name) pair, for validation.</summary>
    public IEnumerable<(string Setting, string Field)> Configured()
    {
        foreach (var (setting, field) in new[]
                 {
                     (nameof(Email), Email), (nameof(Phone), Phone), (nameof(Status), Status), (nameof(Owner), Owner),
                     (nameof(Score), Score), (nameof(LastInterestingMoment), LastInterestingMoment), (nameof(Campaign), Campaign),
                     (nameof(Industry), Industry), (nameof(CompanySize), CompanySize), (nameof(Country), Country), (nameof(LeadId), LeadId),
                 })
        {
            if (!string.IsNullOrWhiteSpace(field))
            {
                yield return (setting, field.Trim());
            }
        }
    }

    /// <summary>The mapped values of <paramref name="lead"/>: field name → string or number, nulls left out.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Values(CrmLeadUpsert lead, string status, bool includeEmail)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var values = new List<KeyValuePair<string, object>>();
        void Add(string? field, object? value)
        {
            if (!string.IsNullOrWhiteSpace(field) && value is not null)
            {
                values.Add(new(field.Trim(), value));
            }
        }

        if (includeEmail)
        {
            Add(Email, lead.Email);
        }

        Add(Phone, lead.Phone);
        Add(Status, status);
        Add(Owner, lead.OwnerId);
        Add(Score, lead.MqlScore);
        Add(LastInterestingMoment, lead.LastInterestingMoment);
        Add(Campaign, lead.Campaign);
        Add(Industry, lead.Industry);
        Add(CompanySize, lead.CompanySize);
        Add(Country, lead.Country);
        Add(LeadId, lead.ExternalId);
        return values;
    }
}
