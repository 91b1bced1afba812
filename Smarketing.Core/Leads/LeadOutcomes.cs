using Smarketing.Core.Contracts;

namespace Smarketing.Core.Leads;

/// <summary>What <see cref="Lead.Submit"/> did with a scored submission.</summary>
public sealed record SubmissionOutcome
{
    /// <summary>True when the lead had already received exactly this delivery or content.</summary>
    public required bool Duplicate { get; init; }

    /// <summary>True when the lead changed and must be saved.</summary>
    public required bool Changed { get; init; }

    /// <summary>The handoff message to put on the queue once the lead is saved; null when there is none to send.</summary>
    public HandoffMessage? Handoff { get; init; }
}

/// <summary>What <see cref="Lead.ApplyCrmFeedback"/> did with a status change the CRM reported: moved when neither flag is set.</summary>
public sealed record FeedbackMove
{
    /// <summary>The lead's status before the feedback.</summary>
    public required LeadStatus From { get; init; }

    /// <summary>True when the lead already stood where the feedback puts it, with the same reason: nothing changed.</summary>
    public bool AlreadyApplied { get; init; }

    /// <summary>The contract's refusal, when it refused the move: nothing changed.</summary>
    public TransitionRefusal? Refusal { get; init; }
}
