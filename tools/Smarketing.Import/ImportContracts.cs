using System.Text.Json;

namespace Smarketing.Import;

/// <summary>The app's answer to an upload: 202 for a new import, 200 with <c>duplicate</c> for one it already has.</summary>
public sealed record ImportAccepted
{
    public required string ImportId { get; init; }

    public required string State { get; init; }

    public bool Duplicate { get; init; }
}

/// <summary>GET /api/imports/{id}.</summary>
public sealed record ImportStatus
{
    public const string Finished = "finished";
    public const string Failed = "failed";

    public required string ImportId { get; init; }

    public required string State { get; init; }

    /// <summary>Unknown until the app has split the file.</summary>
    public long? Rows { get; init; }

    public long Accepted { get; init; }

    public long Rejected { get; init; }

    public long Mqls { get; init; }

    public long HandedOff { get; init; }

    public long DeadLettered { get; init; }

    public DateTimeOffset? ReceivedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public double? RowsPerSecond { get; init; }

    public double? EstimatedSecondsLeft { get; init; }

    public string? Failure { get; init; }

    public bool IsOver => State is Finished or Failed;
}

/// <summary>RFC 7807 problem details, as the app answers every refusal.</summary>
public sealed record Problem
{
    public string? Title { get; init; }

    public string? Detail { get; init; }

    public Dictionary<string, string[]>? Errors { get; init; }
}

internal static class ImportJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
