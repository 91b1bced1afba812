namespace Smarketing.Tests.Intake;

/// <summary>Vendor payloads as the vendors send them.</summary>
internal static class Payloads
{
    /// <summary>A HubSpot workflow "Send a webhook" with all contact properties (the contact JSON: properties as {"value": ...}).</summary>
    public const string HubSpotContact = """
        {
          "vid": 12345,
          "canonical-vid": 12345,
          "portal-id": 62515,
          "is-contact": true,
          "properties": {
            "email": { "value": "test@example.com", "versions": [] },
            "phone": { "value": "555-123-4567" },
            "industry": { "value": "SaaS" },
            "numemployees": { "value": "100-500" },
            "hs_analytics_first_touch_converting_campaign": { "value": "2026-q4-webinar" },
            "hs_analytics_source": { "value": "ORGANIC_SEARCH" },
            "viewed_pricing_page": { "value": "true" },
            "downloaded_case_study": { "value": "2026-10-30T14:00:00Z" },
            "contacted_support": { "value": "false" },
            "firstname": { "value": "Test" }
          }
        }
        """;

    /// <summary>A HubSpot workflow webhook with selected properties sent flat.</summary>
    public const string HubSpotFlat = """
        {"hs_object_id":"777","email":"flat@example.com","phone":"555-000-1111","industry":"FinTech","numemployees":"1000+","viewed_pricing_page":"true","downloaded_case_study":"true"}
        """;

    /// <summary>A Marketo webhook built from a JSON template of lead tokens: every value a string, blanks for empty tokens.</summary>
    public const string MarketoTemplate = """
        {"id":"00Q-4711","email":"test@example.com","phone":"555-123-4567","industry":"SaaS","companySize":"250","campaign":"2026-q4-webinar","source":"Marketo","ownerId":"","viewedPricingPage":"true","downloadedCaseStudy":"1","contactedSupport":""}
        """;
}
