namespace Smarketing.Core.Feedback.SalesforceOutbound;

/// <summary>Salesforce Outbound Messages (SOAP), from section <c>Feedback:Salesforce</c>, which the Flow callouts share.</summary>
public sealed class SalesforceOutboundOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Feedback:Salesforce";

    /// <summary>The setting the field map binds from, named by its validation messages.</summary>
    public const string FieldsSetting = SectionName + ":Fields";

    /// <summary>The Salesforce org ids (15 or 18 characters) whose Outbound Messages are accepted.</summary>
    public string? OrganizationIds { get; set; }

    /// <summary>Comma-separated secrets, one of which an Outbound Message endpoint URL carries as <c>?token=</c>.</summary>
    public string? OutboundMessageSecrets { get; set; }

    /// <summary>The Lead fields an Outbound Message carries, and the translation of the org's picklist values.</summary>
    public FeedbackFieldMap Fields { get; set; } = DefaultFields();

    /// <summary>The Lead fields of the shipped Salesforce setup (the handoff writes <c>Smarketing_Lead_Id__c</c>).</summary>
    public static FeedbackFieldMap DefaultFields() => new()
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
