using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Intake;

namespace Smarketing.Functions.Intake;

/// <summary>The lead sources ScoreLead accepts, chosen by route (<c>/api/leads/{source}</c>) or the <c>X-Smarketing-Source</c> header.</summary>
public enum LeadSource
{
    Generic,
    HubSpot,
    Marketo,
}

/// <summary>What the intake made of a delivery before scoring: the lead and its delivery id, or why it was refused.</summary>
public sealed record AdmittedDelivery(LeadSubmission? Submission, string? DeliveryId, int RefusalStatus, string? Refusal, FieldErrors? Errors);

/// <summary>Authenticates a delivery by its source's scheme, then maps it onto the canonical lead.</summary>
public sealed class WebhookIntake(IOptions<IntakeOptions> options, TimeProvider timeProvider)
{
    public const string SourceHeader = "X-Smarketing-Source";

    private readonly IntakeOptions _options = options.Value;
    private readonly IReadOnlyList<byte[]> _genericKeys = options.Value.Generic.Keys();
    private readonly IReadOnlyList<string> _hubSpotSecrets = IntakeOptions.SplitSecrets(options.Value.HubSpot.ClientSecrets);
    private readonly IReadOnlyList<string> _marketoSecrets = IntakeOptions.SplitSecrets(options.Value.Marketo.Secrets);
    private readonly VendorMapping _hubSpotMapping = options.Value.HubSpot.Mapping();
    private readonly VendorMapping _marketoMapping = options.Value.Marketo.Mapping();

    public static bool TryParseSource(string? text, out LeadSource source)
    {
        // Only the three names: Enum.TryParse would also take "1" or "Generic, HubSpot".
        source = LeadSource.Generic;
        foreach (var candidate in Enum.GetValues<LeadSource>())
        {
            if (string.Equals(text, candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                source = candidate;
                return true;
            }
        }

        return string.IsNullOrEmpty(text);
    }

    public AdmittedDelivery Admit(LeadSource source, HttpRequest request, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var webhook = new WebhookRequest
        {
            Method = request.Method,
            Uri = PublicUri(request),
            Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body,
        };

        var auth = Authenticate(source, webhook);
        if (!auth.Authenticated)
        {
            return new AdmittedDelivery(null, null, StatusCodes.Status401Unauthorized, auth.Failure, null);
        }

        FieldErrors errors;
        var submission = source switch
        {
            LeadSource.HubSpot => VendorLeadAdapter.FromHubSpot(body, _hubSpotMapping, out errors),
            LeadSource.Marketo => VendorLeadAdapter.FromMarketo(body, _marketoMapping, out errors),
            _ => LeadSubmissionParser.TryParse(body, out errors),
        };
        var deliveryId = auth.DeliveryId is null ? null : $"{source}:{auth.DeliveryId}";
        return submission is null
            ? new AdmittedDelivery(null, null, StatusCodes.Status400BadRequest, null, errors)
            : new AdmittedDelivery(submission, deliveryId, 0, null, null);
    }

    private AuthenticationResult Authenticate(LeadSource source, WebhookRequest webhook)
    {
        var now = timeProvider.GetUtcNow();
        var (configured, setting) = source switch
        {
            LeadSource.HubSpot => (_hubSpotSecrets.Count > 0, "Intake__HubSpot__ClientSecrets"),
            LeadSource.Marketo => (_marketoSecrets.Count > 0, "Intake__Marketo__Secrets"),
            _ => (_genericKeys.Count > 0, "Intake__Generic__Secrets"),
        };
        if (!configured)
        {
            return _options.AllowUnsigned
                ? AuthenticationResult.Success()
                : AuthenticationResult.Refused($"No secret is configured for the {source} source (setting {setting}), and unsigned deliveries are not allowed.");
        }

        return source switch
        {
            LeadSource.HubSpot => HubSpotSignatures.Verify(webhook, _hubSpotSecrets, now, _options.HubSpot.AllowV2Signatures),
            LeadSource.Marketo => SharedSecret.Verify(webhook, _options.Marketo.SecretHeader, _marketoSecrets),
            _ => StandardWebhooks.Verify(webhook, _genericKeys, now),
        };
    }

    // The URI as the vendor called it: the configured public base URL, else what proxies forwarded.
    private string PublicUri(HttpRequest request) => Feedback.FeedbackRequests.PublicUri(request, _options.HubSpot.PublicBaseUrl);
}
