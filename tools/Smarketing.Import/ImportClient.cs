using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Smarketing.Import;

/// <summary>
/// The app's import API over an HttpClient whose base address is the app and whose default headers carry the keys.
/// Transient answers (no connection, 408, 429, 5xx, no answer in time) are retried after the poll interval or the
/// app's Retry-After, with a warning each time; a 4xx is the app's refusal and ends the run with its problem details.
/// </summary>
public sealed class ImportClient(HttpClient http, TimeSpan retryDelay, Action<string> warn)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>A status read or a download that hears nothing for this long is retried like a 503.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The app recognises a re-sent upload (by its content or idempotency key), so a failed one is sent again, a few times.</summary>
    private const int UploadAttempts = 3;

    private const int DownloadAttempts = 3;

    /// <summary>
    /// The app answers 503 when storage is down; a 500 is more likely a fault that stays, so it is tried a few times
    /// and then shown, rather than for the whole --timeout.
    /// </summary>
    private const int InternalErrorAttempts = 5;

    public async Task<ImportAccepted> UploadAsync(ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = "api/imports" + (options.Mapping is null ? "" : "?mapping=" + Uri.EscapeDataString(options.Mapping));
        using var response = await SendAsync(
            () =>
            {
                var content = new StreamContent(new FileStream(options.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
                content.Headers.ContentType = new MediaTypeHeaderValue(options.ContentType);
                var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
                if (options.IdempotencyKey is not null)
                {
                    request.Headers.Add(IdempotencyKeyHeader, options.IdempotencyKey);
                }

                return request;
            },
            "the upload",
            UploadAttempts,
            timeout: null,
            cancellationToken);
        return await ReadJsonAsync<ImportAccepted>(response, "the upload", cancellationToken);
    }

    public async Task<ImportStatus> GetStatusAsync(string importId, CancellationToken cancellationToken)
    {
        const string What = "reading the import's progress";
        while (true)
        {
            using var response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, StatusPath(importId)), What, int.MaxValue, ReadTimeout, cancellationToken);
            try
            {
                return await ReadJsonAsync<ImportStatus>(response, What, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // An answer cut off in its body is as transient as one that never came.
                warn($"{Capitalise(What)}: the answer broke off ({e.Message}); trying again in {Durations.Describe(retryDelay)}.");
            }

            await Task.Delay(retryDelay, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the rejected rows' CSV to <paramref name="path"/> as the app sends it; an answer that breaks off is
    /// fetched again, and the file appears only once it is whole.
    /// </summary>
    public async Task DownloadRejectedAsync(string importId, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".partial";
        for (var attempt = 1; ; attempt++)
        {
            using var response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, StatusPath(importId) + "/rejected"),
                "downloading the rejected rows",
                int.MaxValue,
                ReadTimeout,
                cancellationToken);
            try
            {
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                {
                    await response.Content.CopyToAsync(file, cancellationToken);
                }

                File.Move(partial, path, overwrite: true);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException && attempt < DownloadAttempts && !cancellationToken.IsCancellationRequested)
            {
                warn($"Downloading the rejected rows broke off ({e.Message}); trying again in {Durations.Describe(retryDelay)}.");
            }

            await Task.Delay(retryDelay, cancellationToken);
        }
    }

    public static string StatusPath(string importId) => "api/imports/" + Uri.EscapeDataString(importId);

    private async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> createRequest, string what, int attempts, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var internalErrors = 0;
        for (var attempt = 1; ; attempt++)
        {
            string trouble;
            var delay = retryDelay;
            using (var request = createRequest())
            using (var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                if (timeout is { } limit)
                {
                    patience.CancelAfter(limit);
                }

                try
                {
                    var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        return response;
                    }

                    using (response)
                    {
                        if (!IsTransient(response.StatusCode))
                        {
                            throw await RefusalAsync(response, what, cancellationToken);
                        }

                        if (response.StatusCode == HttpStatusCode.InternalServerError && ++internalErrors >= Math.Min(attempts, InternalErrorAttempts))
                        {
                            throw await FaultAsync(response, what, internalErrors, cancellationToken);
                        }

                        trouble = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                        if (RetryAfter(response) is { } wait && wait > delay)
                        {
                            delay = wait;
                        }
                    }
                }
                catch (HttpRequestException e)
                {
                    trouble = e.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    trouble = $"no answer within {timeout?.TotalSeconds:0}s";
                }
            }

            if (attempt >= attempts)
            {
                throw new ImportAbortException(ImportExitCodes.Failed, $"{Capitalise(what)} failed {attempt} times; the last time: {trouble}.");
            }

            warn($"{Capitalise(what)}: {trouble}; trying again in {Durations.Describe(delay)}.");
            await Task.Delay(delay, cancellationToken);
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

    private static async Task<ImportAbortException> FaultAsync(HttpResponseMessage response, string what, int times, CancellationToken cancellationToken) =>
        new(
            ImportExitCodes.Failed,
            $"{Capitalise(what)} failed {times} times with HTTP {(int)response.StatusCode} {response.ReasonPhrase}.",
            await ProblemLinesAsync(response, cancellationToken));

    private static async Task<ImportAbortException> RefusalAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var details = await ProblemLinesAsync(response, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            details.Add($"Check the function key (--key or {ImportOptions.FunctionKeyVariable}) and the admin key (--admin-key or {ImportOptions.AdminKeyVariable}).");
        }

        return new ImportAbortException(ImportExitCodes.Refused, $"The app refused {what}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.", details);
    }

    /// <summary>The problem details' title, detail and field errors, one a line; else the start of whatever the body is.</summary>
    private static async Task<List<string>> ProblemLinesAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var details = new List<string>();
        var problem = TryReadProblem(body);
        if (problem is null)
        {
            if (!string.IsNullOrWhiteSpace(body))
            {
                details.Add(body.Length <= 500 ? body.Trim() : body[..500].Trim() + "…");
            }
        }
        else
        {
            details.AddRange(new[] { problem.Title, problem.Detail }.Where(text => !string.IsNullOrWhiteSpace(text))!);
            foreach (var (field, messages) in problem.Errors ?? [])
            {
                details.AddRange(messages.Select(message => $"{field}: {message}"));
            }
        }

        if (response.StatusCode is HttpStatusCode.NotFound && problem is null)
        {
            details.Add($"Is {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Authority)} the app, and one with bulk import?");
        }

        return details;
    }

    private static Problem? TryReadProblem(string body)
    {
        try
        {
            var problem = JsonSerializer.Deserialize<Problem>(body, ImportJson.Options);
            return problem is { Title: null, Detail: null, Errors: null } ? null : problem;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ImportJson.Options, cancellationToken)
                ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ImportAbortException(
                ImportExitCodes.Failed,
                $"The app answered {what} with HTTP {(int)response.StatusCode} but not with the JSON this tool knows ({e.Message}). Is the URL the app's?");
        }
    }

    private static string Capitalise(string text) => char.ToUpper(text[0], CultureInfo.InvariantCulture) + text[1..];
}
