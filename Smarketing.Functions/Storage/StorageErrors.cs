using Azure;

namespace Smarketing.Functions.Storage;

/// <summary>Which storage answers mean "this request can never succeed" rather than "try again later".</summary>
public static class StorageErrors
{
    /// <summary>
    /// True for a 4xx other than 404 (handled as "absent"), 408 (timeout), 409 and 412 (another writer; retried) and
    /// 429 (throttled): 400 PropertyValueTooLarge, EntityTooLarge, 413 and the like refuse the content itself.
    /// </summary>
    public static bool IsPermanent(RequestFailedException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Status is >= 400 and < 500 and not (404 or 408 or 409 or 412 or 429);
    }

    /// <summary>The storage answer in words safe to return (status and error code, no account details).</summary>
    public static string Describe(RequestFailedException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return $"storage answered {exception.Status} ({exception.ErrorCode})";
    }
}
