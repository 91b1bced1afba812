namespace Smarketing.Core.Feedback.HubSpot;

/// <summary>Feedback from HubSpot workflow webhooks (section <c>Feedback:HubSpot</c>).</summary>
public sealed class HubSpotFeedbackOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Feedback:HubSpot";

    /// <summary>The setting the field map binds from, named by its validation messages.</summary>
    public const string FieldsSetting = SectionName + ":Fields";

    /// <summary>Comma-separated client secrets of the HubSpot app whose v3 request signatures are accepted.</summary>
    public string? ClientSecrets { get; set; }

    /// <summary>Comma-separated API keys, one of which the workflow sends in the <c>X-Smarketing-Secret</c> header.</summary>
    public string? Secrets { get; set; }

    /// <summary>
    /// The public base URL HubSpot calls (e.g. <c>https://smarketing.azurewebsites.net</c>), used to rebuild the signed
    /// URI exactly as HubSpot saw it; when empty, the forwarded or request host is used.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The contact properties the workflow sends, and the translation of their values.</summary>
    public FeedbackFieldMap Fields { get; set; } = new()
    {
        LeadId = "smarketing_lead_id",
        Status = "hs_lead_status",
        ReasonCode = "smarketing_disqualification_reason",
        Note = "smarketing_feedback_note",
        Rep = "hubspot_owner_id",
        BudgetConfirmed = "smarketing_budget_confirmed",
        TimelineConfirmed = "smarketing_timeline_confirmed",
        StatusMap = "UNQUALIFIED=DISQUALIFIED;BAD_TIMING=DISQUALIFIED:BAD_TIMING",
    };
}
