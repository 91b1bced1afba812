using Smarketing.Core.Contracts;

namespace Smarketing.Core.Handoff.HubSpot;

/// <summary>The HubSpot connection (section <c>Crm:HubSpot</c>).</summary>
public sealed class HubSpotOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = CrmOptions.SectionName + ":" + HubSpotCrmClient.ProviderName;

    /// <summary>The API's base address.</summary>
    public string BaseUrl { get; set; } = "https://api.hubapi.com";

    /// <summary>The private app's access token (<c>pat-...</c>).</summary>
    public string? AccessToken { get; set; }

    /// <summary>Which contact property holds each value (internal names). The e-mail address is the upsert key, <c>email</c>.</summary>
    public HandoffFieldMap Properties { get; set; } = new()
    {
        Email = "email",
        Phone = "phone",
        Status = string.Empty,
        Owner = "hubspot_owner_id",
        Score = "smarketing_mql_score",
        LastInterestingMoment = "smarketing_last_interesting_moment",
        Campaign = string.Empty,
        Industry = "industry",
        CompanySize = string.Empty,
        Country = "country",
        LeadId = "smarketing_lead_id",
    };

    /// <summary>Smarketing status → lifecycle stage internal name written to <c>lifecyclestage</c>; an empty value writes none.</summary>
    public Dictionary<string, string> LifecycleStages { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SAL"] = "salesqualifiedlead",
    };

    /// <summary>Comma-separated lifecycle stages the handoff never moves a contact out of (e.g. an existing customer).</summary>
    public string ProtectedLifecycleStages { get; set; } = "customer,evangelist";

    /// <summary>Smarketing status → value of the <see cref="HandoffFieldMap.Status"/> property (unmapped statuses are written as is).</summary>
    public Dictionary<string, string> StatusValues { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><see cref="ProtectedLifecycleStages"/> as a set.</summary>
    public IReadOnlySet<string> ProtectedStageSet =>
        new HashSet<string>(ListSetting.Parse(ProtectedLifecycleStages), StringComparer.OrdinalIgnoreCase);
}
