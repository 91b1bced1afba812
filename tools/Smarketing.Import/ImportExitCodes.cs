namespace Smarketing.Import;

/// <summary>
/// What the tool's exit code tells a script. Rejected rows and dead-lettered MQLs are outcomes of a finished import,
/// counted in the summary and the rejected CSV, not failures of the tool: a finished import exits 0.
/// </summary>
public static class ImportExitCodes
{
    /// <summary>The import finished (or, with --no-wait, the app took the upload).</summary>
    public const int Finished = 0;

    /// <summary>A fault of the tool itself (its message and stack trace are printed).</summary>
    public const int Unexpected = 1;

    /// <summary>Bad arguments: a missing file or URL, an unknown option, a bad duration.</summary>
    public const int Usage = 2;

    /// <summary>The app refused a request with a 4xx answer (bad file or mapping, a wrong key): the problem is printed.</summary>
    public const int Refused = 3;

    /// <summary>The import failed, did not finish within --timeout, or the app could not be reached or kept failing.</summary>
    public const int Failed = 4;

    /// <summary>Ctrl+C: the tool stopped watching; the import goes on in the app.</summary>
    public const int Stopped = 130;
}
