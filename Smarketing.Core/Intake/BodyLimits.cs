namespace Smarketing.Core.Intake;

/// <summary>
/// The bounds of a source's <c>MaxBodyBytes</c> setting: the largest body the intake reads for that source before
/// refusing it with 413, checked before any parsing.
/// </summary>
public static class BodyLimits
{
    /// <summary>The limit of a source whose bodies are one lead's fields (generic, Marketo).</summary>
    public const int Default = 64 * 1024;

    /// <summary>The HubSpot limit: a contact body with hundreds of properties and their histories runs to several hundred KB.</summary>
    public const int HubSpotDefault = 1024 * 1024;

    /// <summary>The smallest limit a setting may give.</summary>
    public const int Min = 1024;

    /// <summary>The largest limit a setting may give: a body is held in memory while it is read.</summary>
    public const int Max = 16 * 1024 * 1024;

    /// <summary>The validation message for <c>{section}:MaxBodyBytes</c>, or null when <paramref name="value"/> is in range.</summary>
    public static string? Problem(string section, int value) =>
        value is >= Min and <= Max ? null : $"Setting {section}:MaxBodyBytes is {value}; use {Min} to {Max} bytes (1 KiB to 16 MiB).";
}
