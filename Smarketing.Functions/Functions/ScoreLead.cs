using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Handoff;
using Smarketing.Core.Intake;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Smarketing.Functions.Http;
using Smarketing.Functions.Intake;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/leads[/{source}]</c>: the marketing webhook (sources <c>generic</c>, <c>hubspot</c>,
/// <c>marketo</c>). Caps the body before parsing, authenticates the delivery by its source's scheme,
/// validates and scores the lead, records it in the ledger, moves it to MQL when it qualifies and
/// enqueues its handoff. Answers 202 with the score and its reasons. The body cap is the source's own
/// (<c>Intake:{Source}:MaxBodyBytes</c>); for a source that drops a refused delivery instead of retrying it (HubSpot),
/// every 4xx is recorded in <c>RefusedDeliveries</c>, without contact data.
/// </summary>
/// <remarks>
/// The handoff message is sent through the Queue SDK rather than a <c>[QueueOutput]</c> binding: the ledger
/// must record the MQL before the message exists and only the writer that won the move may send it, and a
/// storage failure must answer 503 (so the vendor retries) instead of a host 500 after the function returned.
/// </remarks>
public sealed class ScoreLead(WebhookIntake webhooks, LeadIntake intake, RefusedDeliveryStore refusals, TimeProvider timeProvider)
{
    [Function(nameof(ScoreLead))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "leads/{source?}")] HttpRequest request,
        string? source,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!webhooks.TryFindSource(source ?? request.Headers[WebhookIntake.SourceHeader].FirstOrDefault(), out var leadSource))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "Unknown lead source.", $"'{SensitiveText.Echo(source)}' is not a lead source; use {webhooks.SourceNames}.");
        }

        var (body, problem) = await RequestBodies.ReadJsonAsync(request, cancellationToken, leadSource.MaxBodyBytes);
        if (problem is not null)
        {
            var status = problem is JsonBodyResult json ? json.StatusCode : StatusCodes.Status400BadRequest;
            var reason = status == StatusCodes.Status413PayloadTooLarge
                ? $"The body is larger than the source's limit of {leadSource.MaxBodyBytes} bytes."
                : $"The content type '{request.ContentType ?? "(none)"}' is not JSON.";
            await RecordRefusalAsync(leadSource, request, status, reason, null, null, cancellationToken);
            return problem;
        }

        var delivery = webhooks.Admit(leadSource, request, body);
        if (delivery.RefusalStatus == StatusCodes.Status401Unauthorized)
        {
            await RecordRefusalAsync(leadSource, request, StatusCodes.Status401Unauthorized, delivery.Refusal!, body.Length, null, cancellationToken);
            return Problems.Unauthenticated(delivery.Refusal!);
        }

        if (delivery.Submission is null)
        {
            // Field names only: a message may quote the value, which may be an e-mail address or a phone number.
            var fields = delivery.Errors!.Fields;
            await RecordRefusalAsync(
                leadSource, request, StatusCodes.Status400BadRequest, $"Invalid fields: {string.Join(", ", fields)}.", body.Length, () => leadSource.ObjectId(body), cancellationToken);
            return Problems.Validation(delivery.Errors!);
        }

        return await StorageFailure.AnswerAsync(
            async () => Accepted(await intake.SubmitAsync(delivery.Submission, delivery.DeliveryId, cancellationToken)),
            "The lead was not accepted",
            "send it again");
    }

    private async Task RecordRefusalAsync(
        ILeadSource source, HttpRequest request, int status, string reason, long? bodyBytes, Func<string?>? objectId, CancellationToken cancellationToken)
    {
        if (source.RetriesRefusals)
        {
            return;
        }

        await refusals.RecordAsync(
            new RefusedDelivery
            {
                Source = source.Name,
                ReceivedAt = timeProvider.GetUtcNow(),
                Status = status,
                Reason = reason,
                ObjectId = objectId?.Invoke(),
                BodyBytes = bodyBytes ?? request.ContentLength,
            },
            cancellationToken);
    }

    private static JsonBodyResult Accepted(IntakeResult result) =>
        new(StatusCodes.Status202Accepted, new ScoreLeadResponse
        {
            LeadId = result.LeadId,
            Status = result.Status.ToWire(),
            Score = result.Score.Score,
            Threshold = result.Score.Threshold,
            IsMql = result.Score.IsMql,
            ModelVersion = result.Score.ModelVersion,
            Explanation = result.Score.Explanation,
            MissingForMql = result.Score.MissingForMql,
            HandoffEnqueued = result.Enqueued,
            Duplicate = result.Duplicate,
        });
}

public sealed record ScoreLeadResponse
{
    public required string LeadId { get; init; }

    public required string Status { get; init; }

    public required int Score { get; init; }

    public required int Threshold { get; init; }

    public required bool IsMql { get; init; }

    public required string ModelVersion { get; init; }

    public required IReadOnlyList<ScoreLine> Explanation { get; init; }

    public required IReadOnlyList<string> MissingForMql { get; init; }

    public required bool HandoffEnqueued { get; init; }

    public required bool Duplicate { get; init; }
}
