using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Intake;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Smarketing.Tests.Scoring;
using Xunit;

namespace Smarketing.Tests.Intake;

/// <summary>
/// The intake alone, its ledger and queue substituted: the ledger write comes before the enqueue, and a failed
/// enqueue is marked on the ledger (the storage behaviour itself is DeliveryGuaranteeTests', on Azurite).
/// </summary>
public sealed class LeadIntakeTests
{
    private const string LeadId = "lead-intake-1";

    private readonly ILeadLedger _ledger = Substitute.For<ILeadLedger>();
    private readonly IHandoffEnqueuer _queue = Substitute.For<IHandoffEnqueuer>();
    private readonly IPendingHandoffIndex _pending = Substitute.For<IPendingHandoffIndex>();
    private readonly FakeTimeProvider _time = new(TestLeads.Now);

    // What each save handed the ledger, copied as storage would; a read returns the last one.
    private readonly List<LeadMemento> _saves = [];

    public LeadIntakeTests()
    {
        _ledger.When(ledger => ledger.SaveAsync(Arg.Any<Lead>(), Arg.Any<CancellationToken>()))
            .Do(call => _saves.Add(call.Arg<Lead>().ToMemento()));
        _ledger.FindAsync(LeadId, Arg.Any<CancellationToken>())
            .Returns(_ => Task.FromResult(_saves.Count == 0 ? null : Lead.Restore(_saves[^1])));
    }

    private LeadIntake CreateSut() => new(
        _ledger,
        _queue,
        _pending,
        ScoringModel.LoadDefault(),
        new LifecyclePolicy(LifecycleOptions.CreateDefault(), _time),
        Options.Create(new HandoffOptions()),
        _time,
        NullLogger<LeadIntake>.Instance);

    // The article's lead: 80 points on the default model, over its threshold of 70.
    private static LeadSubmission Mql() => new()
    {
        LeadId = LeadId,
        Campaign = "2026-q4-webinar",
        ContentHash = "h1",
        Profile = TestLeads.Article(),
    };

    [Fact]
    public async Task SubmitAsync_NewMql_LedgerWrittenWithPendingHandoffBeforeTheMessageIsEnqueued()
    {
        var result = await CreateSut().SubmitAsync(Mql(), "d1", CancellationToken.None);

        Assert.True(result.Enqueued);
        Assert.Equal(LeadStatus.Mql, result.Status);
        Received.InOrder(() =>
        {
            _ledger.SaveAsync(Arg.Any<Lead>(), Arg.Any<CancellationToken>());
            _queue.EnqueueAsync(Arg.Is<HandoffMessage>(m => m.LeadId == LeadId && m.Score == 80 && m.Campaign == "2026-q4-webinar"), Arg.Any<CancellationToken>());
        });
        var saved = Assert.Single(_saves);
        Assert.True(saved.Handoff.Pending);
        Assert.False(saved.Handoff.EnqueueFailed);
    }

    [Fact]
    public async Task SubmitAsync_SameDeliveryAgain_NothingSavedOrEnqueued()
    {
        var sut = CreateSut();
        await sut.SubmitAsync(Mql(), "d1", CancellationToken.None);
        _queue.ClearReceivedCalls();
        _ledger.ClearReceivedCalls();

        var again = await sut.SubmitAsync(Mql(), "d1", CancellationToken.None);

        Assert.True(again.Duplicate);
        Assert.False(again.Enqueued);
        await _ledger.DidNotReceive().SaveAsync(Arg.Any<Lead>(), Arg.Any<CancellationToken>());
        await _queue.DidNotReceive().EnqueueAsync(Arg.Any<HandoffMessage>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task SubmitAsync_QueueFails_SameExceptionAndTheLedgerMarksTheEnqueueFailure()
    {
        var outage = new InvalidOperationException("The queue is unavailable.");
        _queue.EnqueueAsync(Arg.Any<HandoffMessage>(), Arg.Any<CancellationToken>()).ThrowsAsync(outage);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateSut().SubmitAsync(Mql(), "d1", CancellationToken.None));

        Assert.Same(outage, failure);
        Assert.Equal(2, _saves.Count);
        Assert.False(_saves[0].Handoff.EnqueueFailed);
        Assert.True(_saves[1].Handoff.EnqueueFailed);
        Assert.True(_saves[1].Handoff.Pending);
        Assert.Equal(LeadStatus.Mql, _saves[1].Status);
    }

    [Fact]
    public async Task SubmitAsync_QueueFailsAndTheMarkFailsToo_TheQueuesFailureSurfaces()
    {
        var outage = new InvalidOperationException("The queue is unavailable.");
        _queue.EnqueueAsync(Arg.Any<HandoffMessage>(), Arg.Any<CancellationToken>()).ThrowsAsync(outage);
        _ledger.SaveAsync(Arg.Any<Lead>(), Arg.Any<CancellationToken>())
            .Returns(Task.CompletedTask, Task.FromException(new IOException("The ledger is unavailable.")));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateSut().SubmitAsync(Mql(), "d1", CancellationToken.None));

        Assert.Same(outage, failure);
        await _ledger.Received(2).SaveAsync(Arg.Any<Lead>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task SubmitAsync_CancelledDuringTheEnqueue_CancellationPassesThroughUnmarked()
    {
        _queue.EnqueueAsync(Arg.Any<HandoffMessage>(), Arg.Any<CancellationToken>()).ThrowsAsync(new OperationCanceledException());

        await Assert.ThrowsAsync<OperationCanceledException>(() => CreateSut().SubmitAsync(Mql(), "d1", CancellationToken.None));

        var saved = Assert.Single(_saves);
        Assert.False(saved.Handoff.EnqueueFailed);
    }
}
