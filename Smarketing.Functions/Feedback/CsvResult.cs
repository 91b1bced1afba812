using System.Text;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Feedback;

namespace Smarketing.Functions.Feedback;

/// <summary>Streams feedback rows as CSV while they are read from storage, so an export of any size holds one page in memory.</summary>
public sealed class CsvResult(IAsyncEnumerable<DisqualificationFeedback> rows, string fileName, bool raw) : IActionResult
{
    public const string ContentType = "text/csv; charset=utf-8";

    public string FileName { get; } = fileName;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var response = http.Response;
        response.StatusCode = 200;
        response.ContentType = ContentType;
        response.Headers.ContentDisposition = $"attachment; filename=\"{FileName}\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await FeedbackCsv.WriteAsync(writer, rows, raw, http.RequestAborted);
        await writer.FlushAsync(http.RequestAborted);
    }
}
