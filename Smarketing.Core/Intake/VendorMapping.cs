namespace Smarketing.Core.Intake;

/// <summary>
/// Which vendor field holds each canonical lead field and each activity: configuration, so a customer
/// can point <c>industry</c> at their own HubSpot property without a release.
/// </summary>
public sealed class VendorMapping
{
    /// <summary>The canonical lead fields a mapping may name.</summary>
    public static readonly IReadOnlyList<string> CanonicalFields =
        ["id", "email", "phone", "industry", "companySize", "country", "jobTitle", "campaign", "source", "ownerId", "crmId", "triggerAction"];

    /// <summary>Canonical field → vendor field name.</summary>
    public IDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Activity name (as the scoring model reads it) → vendor field name.</summary>
    public IDictionary<string, string> Activities { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>HubSpot contact properties: standard ones, and custom ones a customer creates for the activities.</summary>
    public static VendorMapping HubSpotDefault() => new()
    {
        Fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["id"] = "hs_object_id",
            ["email"] = "email",
            ["phone"] = "phone",
            ["industry"] = "industry",
            ["companySize"] = "numemployees",
            ["country"] = "country",
            ["jobTitle"] = "jobtitle",
            ["campaign"] = "hs_analytics_first_touch_converting_campaign",
            ["source"] = "hs_analytics_source",
            ["ownerId"] = "hubspot_owner_id",
        },
        Activities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["viewedPricingPage"] = "viewed_pricing_page",
            ["downloadedCaseStudy"] = "downloaded_case_study",
            ["contactedSupport"] = "contacted_support",
        },
    };

    /// <summary>Marketo webhook template keys: the canonical names, which the template maps tokens onto.</summary>
    public static VendorMapping MarketoDefault() => new()
    {
        Fields = CanonicalFields.ToDictionary(f => f, f => f, StringComparer.OrdinalIgnoreCase),
        Activities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["viewedPricingPage"] = "viewedPricingPage",
            ["downloadedCaseStudy"] = "downloadedCaseStudy",
            ["contactedSupport"] = "contactedSupport",
        },
    };

    /// <summary>Problems with the mapping, each naming the bad entry; empty when valid.</summary>
    public IReadOnlyList<string> Validate(string settingPrefix)
    {
        var problems = new List<string>();
        foreach (var (field, vendorField) in Fields)
        {
            if (!CanonicalFields.Contains(field, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"Setting {settingPrefix}:Fields:{field} names no lead field; use one of {string.Join(", ", CanonicalFields)}.");
            }

            if (string.IsNullOrWhiteSpace(vendorField))
            {
                problems.Add($"Setting {settingPrefix}:Fields:{field} is empty.");
            }
        }

        foreach (var (activity, vendorField) in Activities)
        {
            if (string.IsNullOrWhiteSpace(vendorField))
            {
                problems.Add($"Setting {settingPrefix}:Activities:{activity} is empty.");
            }
        }

        if (!Fields.ContainsKey("email"))
        {
            problems.Add($"Setting {settingPrefix}:Fields:email is required: the e-mail address is how a lead is reached.");
        }

        return problems;
    }
}
