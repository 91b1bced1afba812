using System.Text.Json.Serialization;

namespace Smarketing.Core.Leads;

/// <summary>
/// The statuses of the lead lifecycle contract, spelled on the wire exactly as in the contract
/// (<see cref="LeadStatusJsonConverter"/>; the member names also hold for a serializer configured with the stock enum converter).
/// </summary>
[JsonConverter(typeof(LeadStatusJsonConverter))]
public enum LeadStatus
{
    /// <summary>Lead created in the system.</summary>
    [JsonStringEnumMemberName("NEW")] New,

    /// <summary>Marketing qualified: scored above the threshold with the key demographic fields present.</summary>
    [JsonStringEnumMemberName("MQL")] Mql,

    /// <summary>Sales accepted: handed off to the CRM with an owner.</summary>
    [JsonStringEnumMemberName("SAL")] Sal,

    /// <summary>Sales qualified: budget and timeline confirmed.</summary>
    [JsonStringEnumMemberName("SQL")] Sql,

    /// <summary>Deal signed.</summary>
    [JsonStringEnumMemberName("CLOSED_WON")] ClosedWon,

    /// <summary>Deal lost; requires a reason code.</summary>
    [JsonStringEnumMemberName("CLOSED_LOST")] ClosedLost,

    /// <summary>Not a fit, bad data or unresponsive; requires a reason code.</summary>
    [JsonStringEnumMemberName("DISQUALIFIED")] Disqualified,
}
