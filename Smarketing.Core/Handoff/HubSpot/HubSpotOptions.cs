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

    /// <summary>
    /// Which contact property holds each value (internal names). <see cref="HandoffFieldMap.LeadId"/> is the upsert key:
    /// a contact property with unique values (<c>hasUniqueValue</c>); the e-mail address is written only when the
    /// handoff creates the contact.
    /// </summary>
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

    /// <summary>
    /// The lifecycle stages in funnel order, earliest first, comma-separated (internal names). The handoff only ever moves a
    /// contact to a stage later in this list than its current one, and leaves a contact at a stage that is not listed.
    /// </summary>
    public string LifecycleStageOrder { get; set; } = DefaultLifecycleStageOrder;

    /// <summary>Smarketing status → value of the <see cref="HandoffFieldMap.Status"/> property (unmapped statuses are written as is).</summary>
    public Dictionary<string, string> StatusValues { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// When true, the batched handoff of imported leads reads the batch's contacts first (one
    /// <c>POST /crm/v3/objects/contacts/batch/read</c> per batch) and then writes what the one-lead path writes: no
    /// e-mail address to an existing contact, and a lifecycle stage only when it moves forward along
    /// <see cref="LifecycleStageOrder"/>. Two requests per 100 leads instead of one; for portals whose API takes an earlier
    /// lifecycle stage as sent. Default false: the batch relies on HubSpot moving a stage only forward.
    /// </summary>
    public bool BatchReadFirst { get; set; }

    /// <summary>HubSpot's default lifecycle stages up to evangelist, in HubSpot's order.</summary>
    public const string DefaultLifecycleStageOrder = "subscriber,lead,marketingqualifiedlead,salesqualifiedlead,opportunity,customer,evangelist";

    /// <summary><see cref="LifecycleStageOrder"/> as a list, earliest first.</summary>
    public IReadOnlyList<string> StageOrder => ListSetting.Parse(LifecycleStageOrder);

    /// <summary>
    /// The position of <paramref name="stage"/> in <see cref="LifecycleStageOrder"/> (case-insensitive), or -1 when it is
    /// not listed.
    /// </summary>
    public int StageRank(string stage)
    {
        var order = StageOrder;
        for (var i = 0; i < order.Count; i++)
        {
            if (string.Equals(order[i], stage, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
