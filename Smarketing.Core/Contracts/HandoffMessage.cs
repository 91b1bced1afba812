namespace Smarketing.Core.Contracts;

/// <summary>
/// The message on the <c>mql-handoff</c> queue: everything the CRM handoff needs, so the handoff
/// never has to ask the sender again. Built from a lead's MQL snapshot by <see cref="Leads.Lead.ToHandoffMessage"/>.
/// </summary>
public sealed record HandoffMessage
{
    /// <summary>The queue that carries handoff messages.</summary>
    public const string QueueName = "mql-handoff";

    /// <summary>The queue that receives messages that failed every attempt.</summary>
    public const string PoisonQueueName = QueueName + "-poison";

    /// <summary>The contract version of this message.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The lead's id in Smarketing (its ledger key and the CRM's external id).</summary>
    public required string LeadId { get; init; }

    /// <summary>The lead's e-mail address.</summary>
    public required string Email { get; init; }

    /// <summary>The lead's phone number.</summary>
    public string? Phone { get; init; }

    /// <summary>The lead's id in the CRM, when the sender knew it.</summary>
    public string? CrmId { get; init; }

    /// <summary>The rep the sender assigned, if any; otherwise the handoff assigns one.</summary>
    public string? OwnerId { get; init; }

    /// <summary>The score that made the lead an MQL.</summary>
    public required int Score { get; init; }

    /// <summary>The scoring model version of <see cref="Score"/>.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>The CRM's "last interesting moment": the activity that triggered the handoff.</summary>
    public string? LastInterestingMoment { get; init; }

    /// <summary>The campaign that produced the lead.</summary>
    public string? Campaign { get; init; }

    /// <summary>The lead's source.</summary>
    public string? Source { get; init; }

    /// <summary>The lead's company industry.</summary>
    public string? Industry { get; init; }

    /// <summary>The lead's company size.</summary>
    public int? CompanySize { get; init; }

    /// <summary>The lead's country (ISO code or name), used by territory routing.</summary>
    public string? Country { get; init; }

    /// <summary>When the lead became an MQL.</summary>
    public required DateTimeOffset MqlAt { get; init; }

    /// <summary>
    /// When this message was put on the queue, on the app's clock (absent in messages of earlier versions): the
    /// reconciler compares the oldest waiting message's with a lead's last enqueue to know whether that lead's message
    /// may still be waiting.
    /// </summary>
    public DateTimeOffset? EnqueuedAt { get; init; }

    /// <summary>Checks the message is complete; returns the problems, empty when none.</summary>
    public FieldErrors Validate()
    {
        var errors = new FieldErrors();
        if (Version != 1)
        {
            errors.Add("version", $"Unsupported handoff message version {Version}; this build reads version 1.");
        }

        if (string.IsNullOrWhiteSpace(LeadId))
        {
            errors.Add("leadId", "Required.");
        }

        if (string.IsNullOrWhiteSpace(Email))
        {
            errors.Add("email", "Required.");
        }

        if (string.IsNullOrWhiteSpace(ModelVersion))
        {
            errors.Add("modelVersion", "Required.");
        }

        if (Score < 0)
        {
            errors.Add("score", "Must not be negative.");
        }

        if (MqlAt == default)
        {
            errors.Add("mqlAt", "Required.");
        }

        return errors;
    }
}
