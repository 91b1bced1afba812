using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Smarketing.Core.Intake;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Smarketing.Functions.Http;
using Smarketing.Functions.Intake;

namespace Smarketing.Functions;

/// <summary>
/// <c>POST /api/leads[/{source}]</c>: the marketing webhook (sources <c>generic</c>, <c>hubspot</c>,
/// <c>marketo</c>). Caps the body before parsing, authenticates the delivery by its source's scheme,
/// validates and scores the lead, records it in the ledger, moves it to MQL when it qualifies and
/// enqueues its handoff. Answers 202 with the score and its reasons.
/// </summary>
/// <remarks>
/// The handoff message is sent through the Queue SDK rather than a <c>[QueueOutput]</c> binding: the ledger
/// must record the MQL before the message exists and only the writer that won the move may send it, and a
/// storage failure must answer 503 (so the vendor retries) instead of a host 500 after the function returned.
/// </remarks>
public sealed class ScoreLead(WebhookIntake webhooks, LeadIntake intake)
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
            return Problems.Create(StatusCodes.Status404NotFound, "Unknown lead source.", $"'{source}' is not a lead source; use {webhooks.SourceNames}.");
        }

        var (body, problem) = await RequestBodies.ReadJsonAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var delivery = webhooks.Admit(leadSource, request, body);
        if (delivery.RefusalStatus == StatusCodes.Status401Unauthorized)
        {
            return Problems.Unauthenticated(delivery.Refusal!);
        }

        if (delivery.Submission is null)
        {
            return Problems.Validation(delivery.Errors!);
        }

        return await StorageFailure.AnswerAsync(
            async () => Accepted(await intake.SubmitAsync(delivery.Submission, delivery.DeliveryId, cancellationToken)),
            "The lead was not accepted",
            "send it again");
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
