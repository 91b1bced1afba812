using System.Globalization;
using Spectre.Console;

namespace Smarketing.Import;

/// <summary>
/// One run of the tool: upload, follow the import until it is over (a live progress bar on a terminal, one line a
/// poll otherwise), download the rejected rows, print the summary. Returns the exit code (<see cref="ImportExitCodes"/>).
/// </summary>
public sealed class Importer
{
    private readonly IAnsiConsole _console;
    private readonly ImportOptions _options;
    private readonly ImportClient _client;

    public Importer(HttpClient http, IAnsiConsole console, ImportOptions options)
    {
        _console = console;
        _options = options;
        _client = new ImportClient(http, options.Poll, Warn);
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        string? importId = null;
        ImportStatus? last = null;
        try
        {
            _console.MarkupLineInterpolated($"Uploading [bold]{Path.GetFileName(_options.FilePath)}[/] ({Size(_options.FilePath)}) to {_options.BaseUrl}");
            var accepted = await _client.UploadAsync(_options, deadline.Token);
            importId = accepted.ImportId;
            if (accepted.Duplicate)
            {
                _console.MarkupLineInterpolated($"The app already has this upload as import [bold]{importId}[/] ({accepted.State}); following that import.");
            }
            else
            {
                _console.MarkupLineInterpolated($"Import [bold]{importId}[/] received ({accepted.State}).");
            }

            if (_options.NoWait)
            {
                _console.MarkupLineInterpolated($"Not waiting (--no-wait). Its progress: GET {new Uri(_options.BaseUrl, ImportClient.StatusPath(importId))}");
                return ImportExitCodes.Finished;
            }

            last = await WatchAsync(importId, status => last = status, deadline.Token);
            var rejectedWritten = false;
            if (last.Rejected > 0)
            {
                await DownloadRejectedAsync(importId, deadline.Token);
                rejectedWritten = true;
            }

            PrintSummary(last, rejectedWritten);
            return last.State == ImportStatus.Finished ? ImportExitCodes.Finished : ImportExitCodes.Failed;
        }
        catch (ImportAbortException abort)
        {
            Error(abort.Message, abort.Details);
            return abort.ExitCode;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var goesOn = importId is null
                ? "The app may have received the upload; sending the same file again follows that import rather than starting a second."
                : $"Import {importId} goes on in the app: GET {new Uri(_options.BaseUrl, ImportClient.StatusPath(importId))}";
            if (cancellationToken.IsCancellationRequested)
            {
                Error("Stopped.", [goesOn]);
                return ImportExitCodes.Stopped;
            }

            Error(
                $"Not over after {Durations.Describe(_options.Timeout)} (--timeout){(last is null ? "" : $": still {last.State}, {ImportStatusText.Rows(last)}")}.",
                [goesOn]);
            return ImportExitCodes.Failed;
        }
    }

    private Task<ImportStatus> WatchAsync(string importId, Action<ImportStatus> seen, CancellationToken cancellationToken)
    {
        if (!_console.Profile.Capabilities.Interactive)
        {
            return PollAsync(importId, status =>
            {
                seen(status);
                _console.WriteLine(ImportStatusText.Line(status));
            }, cancellationToken);
        }

        return _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(async context =>
            {
                var rows = context.AddTask("rows", maxValue: 1);
                var mqls = context.AddTask("MQLs", maxValue: 1);
                rows.IsIndeterminate = true;
                mqls.IsIndeterminate = true;
                return await PollAsync(importId, status =>
                {
                    seen(status);
                    ShowLive(status, rows, mqls);
                }, cancellationToken);
            });
    }

    private async Task<ImportStatus> PollAsync(string importId, Action<ImportStatus> show, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await _client.GetStatusAsync(importId, cancellationToken);
            show(status);
            if (status.IsOver)
            {
                return status;
            }

            await Task.Delay(_options.Poll, cancellationToken);
        }
    }

    private static void ShowLive(ImportStatus status, ProgressTask rows, ProgressTask mqls)
    {
        rows.Description = Markup.Escape(ImportStatusText.RowsLive(status));
        mqls.Description = Markup.Escape(ImportStatusText.Mqls(status));
        if (status.Rows is { } total)
        {
            rows.IsIndeterminate = false;
            rows.MaxValue = Math.Max(1, total);
            rows.Value = total == 0 ? 1 : status.Accepted + status.Rejected;
        }

        // The number of MQLs grows while rows are scored; the bar fills against the count so far.
        if (status.Mqls > 0 || status.IsOver)
        {
            mqls.IsIndeterminate = false;
            mqls.MaxValue = Math.Max(1, status.Mqls);
            mqls.Value = status.Mqls == 0 ? 1 : status.HandedOff + status.DeadLettered;
        }

        if (status.IsOver)
        {
            rows.IsIndeterminate = false;
            rows.StopTask();
            mqls.StopTask();
        }
    }

    private async Task DownloadRejectedAsync(string importId, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DownloadRejectedAsync(importId, _options.RejectedPath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportAbortException(
                ImportExitCodes.Failed,
                $"Could not write the rejected rows to {_options.RejectedPath}: {e.Message}",
                [$"Fetch them again with GET {new Uri(_options.BaseUrl, ImportClient.StatusPath(importId) + "/rejected")}"]);
        }
    }

    private void PrintSummary(ImportStatus status, bool rejectedWritten)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("import").AddColumn(new TableColumn(status.ImportId).RightAligned());
        table.AddRow("state", Markup.Escape(status.State));
        table.AddRow("rows", status.Rows is { } rows ? Count(rows) : "?");
        table.AddRow("accepted", Count(status.Accepted));
        table.AddRow("rejected", Count(status.Rejected));
        table.AddRow("MQLs", Count(status.Mqls));
        table.AddRow("handed off", Count(status.HandedOff));
        table.AddRow("dead-lettered", Count(status.DeadLettered));
        if (status is { ReceivedAt: { } received, FinishedAt: { } finished })
        {
            table.AddRow("took", Durations.Describe(finished - received));
        }

        _console.Write(table);
        if (status.State == ImportStatus.Failed)
        {
            Error($"The import failed: {status.Failure ?? "the app gave no reason"}.", []);
        }

        if (rejectedWritten)
        {
            _console.MarkupLineInterpolated($"[yellow]{Count(status.Rejected)} rejected rows written to[/] {_options.RejectedPath}");
        }
        else
        {
            _console.MarkupLine("No rejected rows.");
        }

        if (status.DeadLettered > 0)
        {
            _console.MarkupLineInterpolated(
                $"[yellow]{Count(status.DeadLettered)} MQLs dead-lettered[/]: GET /api/handoffs/poison lists them with their reasons, POST /api/handoffs/poison/replay sends them again.");
        }
    }

    private void Warn(string message) => _console.MarkupLineInterpolated($"[yellow]warning:[/] {message}");

    private void Error(string message, IReadOnlyList<string> details)
    {
        _console.MarkupLineInterpolated($"[red]error:[/] {message}");
        foreach (var detail in details)
        {
            _console.MarkupLineInterpolated($"  {detail}");
        }
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Size(string path)
    {
        var bytes = new FileInfo(path).Length;
        return bytes switch
        {
            < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
            < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        };
    }
}
