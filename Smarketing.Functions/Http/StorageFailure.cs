using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Smarketing.Core.Leads;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Http;

/// <summary>
/// The storage-failure policy of every HTTP endpoint: a storage call that failed after the SDK's own retries (or a ledger
/// row contended past its retries) is answered 503 with Retry-After, so the caller sends again, never a host 500.
/// A refusal that sending again cannot cure (a storage 4xx other than 404/408/409/412/429, such as 400
/// PropertyValueTooLarge, or a ledger row that cannot be read) is answered 500 without Retry-After, naming the cause:
/// the fault is the app's, not the sender's content, yet no retry will fix it (docs/storage.md).
/// </summary>
public static class StorageFailure
{
    /// <summary>True for a storage failure: the caller may send again later.</summary>
    public static bool Is(Exception exception) => exception switch
    {
        Azure.RequestFailedException failed => !StorageErrors.IsPermanent(failed),
        LedgerConflictException => true,

        // Azure.Core's retry policy reports a transport failure on every attempt as an AggregateException.
        AggregateException aggregate => aggregate.InnerExceptions.All(Is),
        _ => false,
    };

    /// <summary>True for a storage refusal that no retry can cure.</summary>
    public static bool IsPermanent(Exception exception) => exception switch
    {
        Azure.RequestFailedException failed => StorageErrors.IsPermanent(failed),
        LedgerPermanentFailureException => true,
        _ => false,
    };

    /// <summary>The 500 problem of a permanent refusal: what was not done, and why; no Retry-After.</summary>
    public static JsonBodyResult Refused(string notDone, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var why = exception is LedgerPermanentFailureException refused ? refused.Message : Describe(exception) + ", a refusal that sending again cannot cure";
        return Problems.Create(StatusCodes.Status500InternalServerError, "Storage refuses the change.", $"{notDone}: {why}");
    }

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
        AnswerAsync(call, why => Problems.StorageUnavailable($"{notDone} because {why}; {retry}."), ex => Refused(notDone, ex));

    /// <summary>
    /// Runs <paramref name="call"/>; a storage failure is answered by <paramref name="unavailable"/>, given why it failed,
    /// and a permanent refusal by <paramref name="refused"/> (by default the 500 problem of <see cref="Refused"/>).
    /// </summary>
    public static async Task<IActionResult> AnswerAsync(Func<Task<IActionResult>> call, Func<string, IActionResult> unavailable, Func<Exception, IActionResult>? refused = null)
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
        catch (Exception ex) when (IsPermanent(ex))
        {
            return (refused ?? (e => Refused("The change was not stored", e)))(ex);
        }
    }
}
