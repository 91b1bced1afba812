namespace Smarketing.Core.Contracts;

/// <summary>
/// The message on the <c>mql-handoff</c> queue: the lead's id and the non-personal fields of its MQL snapshot. Built by
/// <see cref="Leads.Lead.ToHandoffMessage"/>. It carries no contact data: the handoff reads the e-mail address and phone
/// from the lead's ledger row, so a queue message, a deferred copy or a dead letter never holds them, and an erased lead
/// has nothing left to send. Version 1 messages also held <c>email</c> and <c>phone</c>; they are still read (those two
/// fields are ignored) and never written again.
/// </summary>
public sealed record HandoffMessage
{
    /// <summary>The queue that carries handoff messages.</summary>
    public const string QueueName = "mql-handoff";

    /// <summary>The queue that receives messages that failed every attempt.</summary>
    public const string PoisonQueueName = QueueName + "-poison";

    /// <summary>The contract version this build writes: 2, without contact data.</summary>
    public const int CurrentVersion = 2;

    /// <summary>The contract version of this message: 1 (with e-mail and phone, read only) or 2.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The lead's id in Smarketing (its ledger key and the CRM's external id).</summary>
    public required string LeadId { get; init; }

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
        if (Version is not (1 or CurrentVersion))
        {
            errors.Add("version", $"Unsupported handoff message version {Version}; this build reads versions 1 and {CurrentVersion}.");
        }

        if (string.IsNullOrWhiteSpace(LeadId))
        {
            errors.Add("leadId", "Required.");
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
