using Spectre.Console;
using Spectre.Console.Cli;

namespace Smarketing.Import;

/// <summary>The command line: parsing, help and exit codes around <see cref="ImportCommand"/>.</summary>
public static class ImportApp
{
    public const string Name = "smarketing-import";

    private const int PlainWidth = 4096;

    public static Task<int> RunAsync(
        IEnumerable<string> args, IAnsiConsole console, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (!console.Profile.Capabilities.Interactive)
        {
            // Not a terminal (CI, a log file): each line whole, one a poll, rather than wrapped at 80 columns.
            console.Profile.Width = PlainWidth;
        }

        var app = new CommandApp<ImportCommand>();
        app.WithDescription(
            "Uploads a lead list to a running Smarketing app, follows the import until it finishes and writes the rejected rows to a CSV file. " +
            $"Exit codes: {ImportExitCodes.Finished} finished (rejected rows and dead letters are in the summary), {ImportExitCodes.Usage} usage error, " +
            $"{ImportExitCodes.Refused} refused by the app, {ImportExitCodes.Failed} import failed or timed out or the app unreachable, " +
            $"{ImportExitCodes.Stopped} stopped with Ctrl+C (the import goes on).");
        app.Configure(config =>
        {
            config.SetApplicationName(Name);
            config.ConfigureConsole(console);
            config.UseStrictParsing();
            config.CancellationExitCode(ImportExitCodes.Stopped);
            config.Settings.Registrar.RegisterInstance(new ImportHost(console, environment));
            config.AddExample("leads.csv", "--url", "http://localhost:7071");
            config.AddExample("leads.jsonl", "--url", "https://my-app.azurewebsites.net", "--mapping", "\"E-mail=email;Company=company\"", "--out", "rejected.csv");
            config.SetExceptionHandler((exception, _) =>
            {
                if (exception is CommandAppException { Pretty: { } pretty })
                {
                    console.Write(pretty);
                    return ImportExitCodes.Usage;
                }

                if (exception is CommandAppException)
                {
                    console.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
                    return ImportExitCodes.Usage;
                }

                console.WriteException(exception);
                return ImportExitCodes.Unexpected;
            });
        });
        return app.RunAsync(args, cancellationToken);
    }
}
