using Smarketing.Core.Contracts;

namespace Smarketing.Core.Feedback.Generic;

/// <summary>
/// The generic JSON format (<see cref="CrmFeedback"/>): lifecycle statuses and reason codes as Smarketing spells them, so
/// it needs no value map. Its deliveries are signed with Standard Webhooks (<see cref="GenericFeedbackOptions"/>).
/// </summary>
public static class GenericFeedbackReader
{
    /// <summary>The source of its deliveries, the partition of their ids in the delivery log.</summary>
    public const string Source = "generic";

    /// <summary>Reads a body; null with every bad field named when invalid. <paramref name="eventId"/> is the sender's optional delivery id.</summary>
    public static CrmFeedback? TryParse(ReadOnlyMemory<byte> body, out string? eventId, out FieldErrors errors) =>
        CrmFeedback.TryParse(body, CrmValueMap.Identity, out eventId, out errors);
}
