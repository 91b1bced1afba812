using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Http;

/// <summary>
/// The storage-failure policy of every HTTP endpoint: a storage call that failed after the SDK's own retries (or a ledger
/// row contended past its retries) is answered 503 with Retry-After, so the caller sends again, never a host 500.
/// </summary>
public static class StorageFailure
{
    /// <summary>True for a storage failure: the caller may send again later.</summary>
    public static bool Is(Exception exception) => exception switch
    {
        Azure.RequestFailedException => true,
        LedgerConflictException => true,

        // Azure.Core's retry policy reports a transport failure on every attempt as an AggregateException.
        AggregateException aggregate => aggregate.InnerExceptions.All(Is),
        _ => false,
    };

    /// <summary>Why storage failed, in words safe to return (no connection string, no key).</summary>
    public static string Describe(Exception exception) => exception switch
    {
        Azure.RequestFailedException { Status: > 0 } failed => $"storage answered {failed.Status} ({failed.ErrorCode})",
        LedgerConflictException => "the lead is being updated by too many deliveries at once",
        _ => "storage could not be reached",
    };

    /// <summary>
    /// Runs <paramref name="call"/>; a storage failure becomes the 503 problem "<paramref name="notDone"/> because (why);
    /// <paramref name="retry"/>." with Retry-After. Anything else propagates.
    /// </summary>
    public static Task<IActionResult> AnswerAsync(Func<Task<IActionResult>> call, string notDone, string retry) =>
        AnswerAsync(call, why => Problems.StorageUnavailable($"{notDone} because {why}; {retry}."));

    /// <summary>Runs <paramref name="call"/>; a storage failure is answered by <paramref name="unavailable"/>, given why it failed.</summary>
    public static async Task<IActionResult> AnswerAsync(Func<Task<IActionResult>> call, Func<string, IActionResult> unavailable)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(unavailable);
        try
        {
            return await call();
        }
        catch (Exception ex) when (Is(ex))
        {
            return unavailable(Describe(ex));
        }
    }
}
