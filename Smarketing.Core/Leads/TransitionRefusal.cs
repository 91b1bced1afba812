namespace Smarketing.Core.Leads;

/// <summary>Why a move was refused.</summary>
public enum RefusalKind
{
    /// <summary>The contract has no such move.</summary>
    ForbiddenMove,

    /// <summary>The move exists but its criterion is not met.</summary>
    CriterionNotMet,
}

/// <summary>A refused move: from, to, and the criterion that is missing.</summary>
public sealed record TransitionRefusal
{
    /// <summary>The lead's status when the move was asked for.</summary>
    public required LeadStatus From { get; init; }

    /// <summary>The status asked for.</summary>
    public required LeadStatus To { get; init; }

    /// <summary>Whether the move does not exist or its criterion is not met.</summary>
    public required RefusalKind Kind { get; init; }

    /// <summary>The missing criterion in words, e.g. "a reason code from the configured list".</summary>
    public required string MissingCriterion { get; init; }

    /// <summary>A sentence naming from, to and the missing criterion.</summary>
    public string Message => Kind == RefusalKind.ForbiddenMove
        ? $"{From.Describe()} → {To.Describe()} is not a move of the lifecycle contract; {MissingCriterion}."
        : $"{From.Describe()} → {To.Describe()} refused: missing {MissingCriterion}.";
}

/// <summary>Thrown when a move the contract refuses is applied.</summary>
public sealed class LifecycleTransitionException : InvalidOperationException
{
    /// <summary>Creates the exception for a refusal.</summary>
    public LifecycleTransitionException(TransitionRefusal refusal)
        : base(refusal.Message) => Refusal = refusal;

    /// <summary>The refusal with from, to and the missing criterion.</summary>
    public TransitionRefusal Refusal { get; }
}
