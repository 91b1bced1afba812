using Spectre.Console;
using Spectre.Console.Cli;

namespace Smarketing.Import;

/// <summary>The command line: parsing, help and exit codes around <see cref="ImportCommand"/>.</summary>
public static class ImportApp
{
    public const string Name = "smarketing-import";

    private const int PlainWidth = 4096;

    public static async Task<int> RunAsync(
        IEnumerable<string> args, IAnsiConsole console, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        var arguments = args.ToList();
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
                if (exception is CommandAppException)
                {
                    // Not Spectre's pretty form: it echoes the command line, keys included.
                    console.MarkupLineInterpolated($"[red]error:[/] {Redact(exception.Message, arguments)}");
                    console.MarkupLineInterpolated($"See {Name} --help.");
                    return ImportExitCodes.Usage;
                }

                console.WriteException(exception);
                return ImportExitCodes.Unexpected;
            });
        });
        if (arguments.Count == 0)
        {
            // Spectre shows the help for an empty command line and exits 1; without a file it is a usage error.
            await app.RunAsync(["--help"], cancellationToken);
            return ImportExitCodes.Usage;
        }

        return await app.RunAsync(arguments, cancellationToken);
    }

    private static readonly string[] KeyOptions = ["--key", "--admin-key"];

    /// <summary>The message with the value of each key option replaced, in case the parser quotes it.</summary>
    private static string Redact(string message, List<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var key = KeyOptions.Contains(argument, StringComparer.Ordinal) && i + 1 < arguments.Count
                ? arguments[i + 1]
                : KeyOptions
                    .Where(option => argument.Length > option.Length + 1 && argument.StartsWith(option, StringComparison.Ordinal) && argument[option.Length] is '=' or ':')
                    .Select(option => argument[(option.Length + 1)..])
                    .FirstOrDefault();
            if (!string.IsNullOrEmpty(key))
            {
                message = message.Replace(key, "***", StringComparison.Ordinal);
            }
        }

        return message;
    }
}
