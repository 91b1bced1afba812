using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;

namespace Smarketing.Functions.Feedback;

/// <summary>The summaries this instance computes at once: at most <see cref="FeedbackSummaryOptions.MaxConcurrent"/>.</summary>
public sealed class SummaryConcurrency(IOptions<FeedbackSummaryOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrent, options.Value.MaxConcurrent);

    /// <summary>Takes a slot without waiting; false when every slot is taken.</summary>
    public bool TryEnter() => _slots.Wait(0);

    /// <summary>Gives a slot back.</summary>
    public void Exit() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
