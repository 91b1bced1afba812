using Smarketing.Import;
using Spectre.Console;

// Uploads a lead list to a running app, follows the import with a progress bar until it finishes, and saves the
// rejected rows as CSV. `dotnet run --project tools/Smarketing.Import -- --help` lists the options and exit codes.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl+C stops watching, not the import: the tool says so and names the import before it exits.
    e.Cancel = true;
    stop.Cancel();
};
return await ImportApp.RunAsync(args, AnsiConsole.Console, Environment.GetEnvironmentVariable, stop.Token);
