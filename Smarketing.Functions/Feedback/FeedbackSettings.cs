using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Feedback;

/// <summary>The feedback options, read once: secret lists split, org ids shortened, value maps parsed.</summary>
public sealed class FeedbackSettings
{
    public FeedbackSettings(IOptions<FeedbackOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        Options = value;
        OrganizationIds = [.. FeedbackOptions.List(value.Salesforce.OrganizationIds).Select(ShortOrgId)];
        OutboundMessageSecrets = FeedbackOptions.List(value.Salesforce.OutboundMessageSecrets);
        FlowSecrets = FeedbackOptions.List(value.Salesforce.FlowSecrets);
        HubSpotClientSecrets = FeedbackOptions.List(value.HubSpot.ClientSecrets);
        HubSpotSecrets = FeedbackOptions.List(value.HubSpot.Secrets);
        var ignored = new List<string>();
        SalesforceValues = CrmValueMap.Parse(value.Salesforce.Fields.StatusMap, value.Salesforce.Fields.ReasonMap, FeedbackOptionsValidator.SalesforceFields, ignored);
        HubSpotValues = CrmValueMap.Parse(value.HubSpot.Fields.StatusMap, value.HubSpot.Fields.ReasonMap, FeedbackOptionsValidator.HubSpotFields, ignored);
    }

    public FeedbackOptions Options { get; }

    /// <summary>The accepted org ids, cut to their case-sensitive 15-character form.</summary>
    public IReadOnlyList<string> OrganizationIds { get; }

    public IReadOnlyList<string> OutboundMessageSecrets { get; }

    public IReadOnlyList<string> FlowSecrets { get; }

    public IReadOnlyList<string> HubSpotClientSecrets { get; }

    public IReadOnlyList<string> HubSpotSecrets { get; }

    public CrmValueMap SalesforceValues { get; }

    public CrmValueMap HubSpotValues { get; }

    /// <summary>An 18-character Salesforce id is the 15-character one plus a case-insensitivity suffix.</summary>
    public static string ShortOrgId(string id) => id.Length == 18 ? id[..15] : id;
}

/// <summary>Checks the <c>Feedback</c> section at start; every message names its setting.</summary>
internal sealed class FeedbackOptionsValidator(IOptions<LifecycleOptions> lifecycle) : IValidateOptions<FeedbackOptions>
{
    public const string SalesforceFields = "Feedback:Salesforce:Fields";
    public const string HubSpotFields = "Feedback:HubSpot:Fields";

    public ValidateOptionsResult Validate(string? name, FeedbackOptions options)
    {
        var failures = new List<string>();
        foreach (var id in FeedbackOptions.List(options.Salesforce.OrganizationIds))
        {
            if (id.Length is not (15 or 18) || !id.StartsWith("00D", StringComparison.Ordinal) || !id.All(char.IsAsciiLetterOrDigit))
            {
                failures.Add($"Setting Feedback:Salesforce:OrganizationIds has '{id}', which is not a Salesforce org id (15 or 18 letters and digits starting with 00D; Setup > Company Information).");
            }
        }

        Secrets(options.Salesforce.OutboundMessageSecrets, "Feedback:Salesforce:OutboundMessageSecrets", urlSafe: true, failures);
        Secrets(options.Salesforce.FlowSecrets, "Feedback:Salesforce:FlowSecrets", urlSafe: false, failures);
        Secrets(options.HubSpot.ClientSecrets, "Feedback:HubSpot:ClientSecrets", urlSafe: false, failures);
        Secrets(options.HubSpot.Secrets, "Feedback:HubSpot:Secrets", urlSafe: false, failures);
        if (!string.IsNullOrEmpty(options.Salesforce.OutboundMessageSecrets) && string.IsNullOrWhiteSpace(options.Salesforce.OrganizationIds))
        {
            failures.Add("Setting Feedback:Salesforce:OrganizationIds must name the org(s) whose Outbound Messages are accepted when Feedback:Salesforce:OutboundMessageSecrets is set.");
        }

        if (!string.IsNullOrWhiteSpace(options.HubSpot.PublicBaseUrl) &&
            (!Uri.TryCreate(options.HubSpot.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("https" or "http") ||
             !string.IsNullOrEmpty(baseUrl.Query)))
        {
            failures.Add($"Setting Feedback:HubSpot:PublicBaseUrl ('{options.HubSpot.PublicBaseUrl}') must be the absolute URL HubSpot calls, e.g. https://<app>.azurewebsites.net, without a query.");
        }

        Fields(options.Salesforce.Fields, SalesforceFields, failures);
        Fields(options.HubSpot.Fields, HubSpotFields, failures);
        if (options.Summary.DefaultDays is < 1 or > 3660)
        {
            failures.Add("Setting Feedback:Summary:DefaultDays must be from 1 to 3660.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Secrets(string? value, string setting, bool urlSafe, List<string> failures)
    {
        foreach (var secret in FeedbackOptions.List(value))
        {
            if (secret.Length < FeedbackOptions.MinSecretLength)
            {
                failures.Add($"Setting {setting} has a secret of {secret.Length} characters; use at least {FeedbackOptions.MinSecretLength}.");
            }

            if (urlSafe && !secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~'))
            {
                failures.Add($"Setting {setting} has a secret with characters that need escaping in a URL; use letters, digits and - _ . ~ only.");
            }
        }
    }

    private void Fields(CrmFieldMap fields, string setting, List<string> failures)
    {
        foreach (var (field, value, required) in fields.Entries())
        {
            if (required && string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"Setting {setting}:{field} must name the CRM field that holds it.");
            }
        }

        var map = CrmValueMap.Parse(fields.StatusMap, fields.ReasonMap, setting, failures);
        LifecycleOptions policy;
        try
        {
            policy = lifecycle.Value;
        }
        catch (OptionsValidationException)
        {
            // The lifecycle settings are wrong themselves; their own validator names them.
            return;
        }

        foreach (var (code, status) in map.ReferencedReasonCodes)
        {
            var known = status switch
            {
                LeadStatus.Disqualified => policy.DisqualificationReasons.Any(r => r.Code == code),
                LeadStatus.ClosedLost => policy.ClosedLostReasons.Any(r => r.Code == code),
                null => policy.DisqualificationReasons.Concat(policy.ClosedLostReasons).Any(r => r.Code == code),
                _ => false,
            };
            if (!known)
            {
                var where = status is null ? "Lifecycle:DisqualificationReasons or Lifecycle:ClosedLostReasons" : status == LeadStatus.ClosedLost ? "Lifecycle:ClosedLostReasons" : "Lifecycle:DisqualificationReasons";
                failures.Add(status is LeadStatus.Disqualified or LeadStatus.ClosedLost or null
                    ? $"Setting {setting} refers to reason code '{code}', which is not in {where}."
                    : $"Setting {setting}:StatusMap gives a reason code ('{code}') to a move to {status.Value.ToWire()}, which takes none.");
            }
        }
    }
}
