namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>The org's API usage as the last <c>Sforce-Limit-Info</c> header this instance saw reported it.</summary>
public sealed class SalesforceApiUsage
{
    private long _used = -1;
    private long _limit = -1;

    /// <summary>The API requests the org spent in the last 24 hours (every integration's), or null before any answer.</summary>
    public long? Used => Interlocked.Read(ref _used) is var used and >= 0 ? used : null;

    /// <summary>The org's daily API limit, or null before any answer.</summary>
    public long? Limit => Interlocked.Read(ref _limit) is var limit and > 0 ? limit : null;

    /// <summary>Records what a Salesforce answer reported.</summary>
    public void Report(long used, long limit)
    {
        Interlocked.Exchange(ref _used, used);
        Interlocked.Exchange(ref _limit, limit);
    }
}
