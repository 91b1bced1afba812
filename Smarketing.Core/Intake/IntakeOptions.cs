namespace Smarketing.Core.Intake;

/// <summary>What every lead source shares (section <c>Intake</c>); each source has its own section below it.</summary>
public sealed class IntakeOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Intake";

    /// <summary>Accept deliveries without a signature or secret. For local development only.</summary>
    public bool AllowUnsigned { get; set; }
}
