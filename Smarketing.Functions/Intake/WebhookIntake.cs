using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Intake;
using Smarketing.Functions.Http;

namespace Smarketing.Functions.Intake;

/// <summary>What the intake made of a delivery before scoring: the lead and its delivery id, or why it was refused.</summary>
public sealed record AdmittedDelivery(LeadSubmission? Submission, string? DeliveryId, int RefusalStatus, string? Refusal, FieldErrors? Errors);

/// <summary>
/// Picks the lead source by route (<c>/api/leads/{source}</c>) or the <c>X-Smarketing-Source</c> header, authenticates the
/// delivery by that source's scheme, then maps it onto the canonical lead.
/// </summary>
public sealed class WebhookIntake(IEnumerable<ILeadSource> sources, IOptions<HttpEdgeOptions> edge, TimeProvider timeProvider)
{
    public const string SourceHeader = "X-Smarketing-Source";

    private readonly IReadOnlyList<ILeadSource> _sources = [.. sources];

    /// <summary>The source names a route may use, for the 404 of an unknown one.</summary>
    public string SourceNames => string.Join(", ", _sources.SkipLast(1).Select(s => s.Name.ToLowerInvariant())) + " or " + _sources[^1].Name.ToLowerInvariant();

    /// <summary>The source named <paramref name="text"/> (case-insensitive), or the first registered one when none is named.</summary>
    public bool TryFindSource(string? text, [NotNullWhen(true)] out ILeadSource? source)
    {
        // Only the names: no enum-style "1" or "Generic, HubSpot".
        source = string.IsNullOrEmpty(text) ? _sources[0] : _sources.FirstOrDefault(s => string.Equals(s.Name, text, StringComparison.OrdinalIgnoreCase));
        return source is not null;
    }

    public AdmittedDelivery Admit(ILeadSource source, HttpRequest request, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        var auth = Authenticate(source, WebhookRequests.From(request, body, source.PublicBaseUrl, edge.Value.TrustedProxyHops));
        if (!auth.Authenticated)
        {
            return new AdmittedDelivery(null, null, StatusCodes.Status401Unauthorized, auth.Failure, null);
        }

        var submission = source.Read(body, out var errors);
        var deliveryId = auth.DeliveryId is null ? null : $"{source.Name}:{auth.DeliveryId}";
        return submission is null
            ? new AdmittedDelivery(null, null, StatusCodes.Status400BadRequest, null, errors)
            : new AdmittedDelivery(submission, deliveryId, 0, null, null);
    }

    private AuthenticationResult Authenticate(ILeadSource source, WebhookRequest webhook)
    {
        if (!source.HasSecrets)
        {
            return source.AllowsUnsigned
                ? AuthenticationResult.Success()
                : AuthenticationResult.Refused($"No secret is configured for the {source.Name} source (setting {source.SecretSetting}), and unsigned deliveries are not allowed for it.");
        }

        return source.Authenticate(webhook, timeProvider.GetUtcNow());
    }
}
