namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>The Salesforce connection (section <c>Crm:Salesforce</c>).</summary>
public sealed class SalesforceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = CrmOptions.SectionName + ":" + SalesforceCrmClient.ProviderName;

    /// <summary>The org's My Domain URL, e.g. <c>https://acme.my.salesforce.com</c>: the OAuth token endpoint lives there.</summary>
    public string? LoginUrl { get; set; }

    /// <summary>The connected app's consumer key.</summary>
    public string? ClientId { get; set; }

    /// <summary>The connected app's consumer secret.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The REST API version, <c>vNN.N</c>; 46.0 or later (upsert answers with <c>created</c>).</summary>
    public string ApiVersion { get; set; } = "v62.0";

    /// <summary>The Lead's external-ID field that holds Smarketing's lead id, e.g. <c>Smarketing_Lead_Id__c</c>.</summary>
    public string ExternalIdField { get; set; } = "Smarketing_Lead_Id__c";

    /// <summary>Which Lead field holds each value.</summary>
    public HandoffFieldMap Fields { get; set; } = new()
    {
        Email = "Email",
        Phone = "Phone",
        Status = "Status",
        Owner = "OwnerId",
        Score = "MQL_Score__c",
        LastInterestingMoment = "Last_Interesting_Moment__c",
        Campaign = string.Empty,
        Industry = "Industry",
        CompanySize = "NumberOfEmployees",
        Country = "Country",
        LeadId = string.Empty,
    };

    /// <summary>Smarketing status → the Lead Status picklist value to write (unmapped statuses are written as is).</summary>
    public Dictionary<string, string> StatusValues { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Values for fields Salesforce requires on a new Lead that Smarketing does not know (LastName, Company).
    /// They are sent only when Salesforce answers that a new Lead misses them, so an existing record's values
    /// are never overwritten. An empty value removes the default.
    /// </summary>
    public Dictionary<string, string> CreateDefaults { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["LastName"] = "[not provided]",
        ["Company"] = "[not provided]",
    };

    /// <summary>The share of the org's daily API requests (from <c>Sforce-Limit-Info</c>) above which a warning is logged.</summary>
    public int ApiUsageWarningPercent { get; set; } = 80;

    /// <summary>
    /// Batches of at least this many leads go through Bulk API 2.0 (<see cref="SalesforceBulkIngest"/>: one job, a constant
    /// handful of API requests) instead of sObject Collections requests of 200.
    /// </summary>
    public int BulkThreshold { get; set; } = 2000;
}
