namespace Smarketing.Core.Scoring;

/// <summary>
/// A scoring model file that cannot be used. <see cref="Exception.Message"/> lists every problem found,
/// one a line, each naming the rule or gate (by index and id) and the property at fault.
/// </summary>
public sealed class ScoringModelException : FormatException
{
    /// <summary>Creates the exception with a single problem.</summary>
    public ScoringModelException()
        : this(["the scoring model is invalid"])
    {
    }

    /// <summary>Creates the exception with a single problem.</summary>
    public ScoringModelException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with a single problem and its cause.</summary>
    public ScoringModelException(string message, Exception innerException)
        : base(message, innerException) => Problems = [message];

    /// <summary>Creates the exception listing every problem found.</summary>
    public ScoringModelException(IReadOnlyList<string> problems)
        : base(Describe(problems)) => Problems = problems;

    /// <summary>Every problem found, e.g. <c>rules[1] 'company-size': when.op: unknown operator 'greater'; ...</c>.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return problems.Count == 1
            ? $"Invalid scoring model: {problems[0]}"
            : $"Invalid scoring model ({problems.Count} problems):{Environment.NewLine}  - "
              + string.Join(Environment.NewLine + "  - ", problems);
    }
}
