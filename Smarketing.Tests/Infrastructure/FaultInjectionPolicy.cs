using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Smarketing.Tests.Infrastructure;

/// <summary>
/// An Azure SDK pipeline policy that makes matching storage requests fail as if the service were down,
/// while <see cref="Failing"/> is set (a 503, or the given exception, e.g. a dropped connection). Injected into the app's own clients through their options.
/// </summary>
public sealed class FaultInjectionPolicy(Func<HttpMessage, bool> matches, Func<Exception>? fault = null) : HttpPipelinePolicy
{
    private int _injected;

    public bool Failing { get; set; }

    public int Injected => _injected;

    /// <summary>Matches putting a message on a queue.</summary>
    public static FaultInjectionPolicy QueueSends() =>
        new(m => m.Request.Method == RequestMethod.Post && m.Request.Uri.Path.EndsWith("/messages", StringComparison.Ordinal));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Fail(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Fail(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Fail(HttpMessage message)
    {
        if (Failing && matches(message))
        {
            Interlocked.Increment(ref _injected);
            throw fault?.Invoke() ?? new RequestFailedException(503, "Injected fault: the queue service is unavailable.", "ServerBusy", null);
        }
    }
}
