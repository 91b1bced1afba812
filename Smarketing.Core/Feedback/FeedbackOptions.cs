namespace Smarketing.Core.Feedback;

/// <summary>
/// Which CRM fields (Salesforce sObject fields, HubSpot properties) carry the feedback, and how their values
/// translate to the lifecycle contract.
/// </summary>
public sealed class CrmFieldMap
{
    /// <summary>The field holding Smarketing's lead id (the external id the handoff wrote).</summary>
    public string LeadId { get; set; } = string.Empty;

    /// <summary>The field holding the lead's status.</summary>
    public string Status { get; set; } = string.Empty;

    /// <summary>The field holding the reason code of a disqualification or a lost deal.</summary>
    public string ReasonCode { get; set; } = string.Empty;

    /// <summary>The field holding sales' note; empty to ignore notes.</summary>
    public string? Note { get; set; }

    /// <summary>The field holding the rep who made the change; empty to ignore it.</summary>
    public string? Rep { get; set; }

    /// <summary>The boolean field saying sales confirmed the budget (SAL → SQL).</summary>
    public string? BudgetConfirmed { get; set; }

    /// <summary>The boolean field saying sales confirmed the timeline (SAL → SQL).</summary>
    public string? TimelineConfirmed { get; set; }

    /// <summary>CRM status values and the lifecycle status each stands for: <c>value=STATUS[:REASON];...</c>.</summary>
    public string? StatusMap { get; set; }

    /// <summary>CRM reason values and the reason code each stands for: <c>value=CODE;...</c>.</summary>
    public string? ReasonMap { get; set; }

    /// <summary>Each field setting by name with its value and whether it must be set, for validation.</summary>
    public IEnumerable<(string Name, string? Value, bool Required)> Entries() =>
    [
        (nameof(LeadId), LeadId, true),
        (nameof(Status), Status, true),
        (nameof(ReasonCode), ReasonCode, true),
        (nameof(Note), Note, false),
        (nameof(Rep), Rep, false),
        (nameof(BudgetConfirmed), BudgetConfirmed, false),
        (nameof(TimelineConfirmed), TimelineConfirmed, false),
    ];
}

/// <summary>Feedback from Salesforce: Outbound Messages (SOAP) and Flow HTTP callouts (section <c>Feedback:Salesforce</c>).</summary>
public sealed class SalesforceFeedbackOptions
{
    /// <summary>The Salesforce org ids (15 or 18 characters) whose Outbound Messages are accepted.</summary>
    public string? OrganizationIds { get; set; }

    /// <summary>Comma-separated secrets, one of which an Outbound Message endpoint URL carries as <c>?token=</c>.</summary>
    public string? OutboundMessageSecrets { get; set; }

    /// <summary>Comma-separated secrets, one of which a Flow callout sends in the <c>X-Smarketing-Secret</c> header.</summary>
    public string? FlowSecrets { get; set; }

    /// <summary>The Lead fields an Outbound Message carries, and the translation of the org's picklist values.</summary>
    public CrmFieldMap Fields { get; set; } = new()
    {
        LeadId = "Smarketing_Lead_Id__c",
        Status = "Status",
        ReasonCode = "Disqualification_Reason__c",
        Note = "Disqualification_Note__c",
        Rep = "OwnerId",
        BudgetConfirmed = "Budget_Confirmed__c",
        TimelineConfirmed = "Timeline_Confirmed__c",
    };
}

/// <summary>Feedback from HubSpot workflow webhooks (section <c>Feedback:HubSpot</c>).</summary>
public sealed class HubSpotFeedbackOptions
{
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
    public CrmFieldMap Fields { get; set; } = new()
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

/// <summary>The marketing read API (section <c>Feedback:Summary</c>).</summary>
public sealed class FeedbackSummaryOptions
{
    /// <summary>How many days back a summary or export reaches when the request gives no <c>from</c>.</summary>
    public int DefaultDays { get; set; } = 30;
}

/// <summary>The CRM feedback formats and the marketing read API (bound from the <c>Feedback</c> section).</summary>
public sealed class FeedbackOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Feedback";

    /// <summary>The shortest secret accepted, so a guessable value cannot be configured by mistake.</summary>
    public const int MinSecretLength = 16;

    /// <summary>Salesforce Outbound Messages and Flow callouts.</summary>
    public SalesforceFeedbackOptions Salesforce { get; set; } = new();

    /// <summary>HubSpot workflow webhooks.</summary>
    public HubSpotFeedbackOptions HubSpot { get; set; } = new();

    /// <summary>The summary and export API.</summary>
    public FeedbackSummaryOptions Summary { get; set; } = new();

    /// <summary>Splits a comma-separated setting into its trimmed, non-empty entries.</summary>
    public static IReadOnlyList<string> List(string? value) =>
        (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
