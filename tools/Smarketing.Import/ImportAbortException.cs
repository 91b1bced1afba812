namespace Smarketing.Import;

/// <summary>Ends the run with an exit code: the message, and any details (one a line), are printed as they are.</summary>
public sealed class ImportAbortException : Exception
{
    public ImportAbortException(int exitCode, string message, IReadOnlyList<string>? details = null)
        : base(message)
    {
        ExitCode = exitCode;
        Details = details ?? [];
    }

    public ImportAbortException()
    {
        Details = [];
    }

    public ImportAbortException(string message)
        : base(message)
    {
        Details = [];
    }

    public ImportAbortException(string message, Exception innerException)
        : base(message, innerException)
    {
        Details = [];
    }

    public int ExitCode { get; } = ImportExitCodes.Failed;

    public IReadOnlyList<string> Details { get; }
}
