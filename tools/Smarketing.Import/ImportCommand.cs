using Spectre.Console;
using Spectre.Console.Cli;

namespace Smarketing.Import;

/// <summary>What the command needs from its surroundings; tests give their own console and environment.</summary>
public sealed record ImportHost(IAnsiConsole Console, Func<string, string?> Environment);

public sealed class ImportCommand(ImportHost host) : AsyncCommand<ImportSettings>
{
    public const string AdminKeyHeader = "X-Smarketing-Admin-Key";
    public const string FunctionKeyHeader = "x-functions-key";

    public override async Task<int> ExecuteAsync(CommandContext context, ImportSettings settings, CancellationToken cancellationToken)
    {
        ImportOptions options;
        try
        {
            options = ImportOptions.Create(settings, host.Environment);
        }
        catch (ImportAbortException abort)
        {
            host.Console.MarkupLineInterpolated($"[red]error:[/] {abort.Message}");
            return abort.ExitCode;
        }

        // No overall HttpClient timeout: an upload of a large list takes as long as it takes, within --timeout.
        using var http = new HttpClient { BaseAddress = options.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("smarketing-import");
        if (options.FunctionKey is not null)
        {
            http.DefaultRequestHeaders.Add(FunctionKeyHeader, options.FunctionKey);
        }

        if (options.AdminKey is not null)
        {
            http.DefaultRequestHeaders.Add(AdminKeyHeader, options.AdminKey);
        }

        return await new Importer(http, host.Console, options).RunAsync(cancellationToken);
    }
}
