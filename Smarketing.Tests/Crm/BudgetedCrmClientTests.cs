using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Smarketing.Core.Handoff;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>The total time budget of one handoff's CRM work, on a fake clock, around a substituted CRM client.</summary>
public sealed class BudgetedCrmClientTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    private readonly ICrmClient _inner = Substitute.For<ICrmClient>();
    private readonly FakeTimeProvider _time = new();

    public BudgetedCrmClientTests() => _inner.Provider.Returns("Acme");

    private BudgetedCrmClient CreateSut() => new(_inner, Budget, _time);

    private static CrmLeadUpsert Lead() => SalesforceCrmClientTests.Lead();

    // As an HTTP call to a CRM that never answers: it ends only when its token is cancelled.
    private void InnerNeverAnswers() =>
        _inner.UpsertLeadAsync(Arg.Any<CrmLeadUpsert>(), Arg.Any<CancellationToken>())
            .Returns(call => WaitForCancellationAsync(call.Arg<CancellationToken>()));

    private static async Task<CrmUpsertResult> WaitForCancellationAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new UnreachableException();
    }

    [Fact]
    public void Provider_Always_IsTheInnerClientsProvider()
    {
        Assert.Equal("Acme", CreateSut().Provider);
    }

    [Fact]
    public async Task UpsertLead_InnerAnswers_SameResultPassedThroughAndInnerGivenACancellableToken()
    {
        var lead = Lead();
        var answer = new CrmUpsertResult { RecordId = "00Q000000000001", Created = true };
        _inner.UpsertLeadAsync(lead, Arg.Any<CancellationToken>()).Returns(answer);

        var result = await CreateSut().UpsertLeadAsync(lead, CancellationToken.None);

        Assert.Same(answer, result);
        await _inner.Received(1).UpsertLeadAsync(lead, Arg.Is<CancellationToken>(token => token.CanBeCanceled));
    }

    [Fact]
    public async Task UpsertLead_InnerOutlastsTheBudget_TransientNamingTheSettingAndTheLead()
    {
        InnerNeverAnswers();

        var upsert = CreateSut().UpsertLeadAsync(Lead(), CancellationToken.None);
        _time.Advance(Budget);

        // A budget that never runs out would leave the upsert waiting for good: fail instead of hanging.
        var failure = await Assert.ThrowsAsync<CrmTransientException>(() => upsert.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(
            "Acme did not finish the upsert of lead 'lead-sf-1' within Crm:Resilience:TotalTimeout (00:01:00); the next delivery tries again.",
            failure.Message);
        Assert.IsAssignableFrom<OperationCanceledException>(failure.InnerException);
    }

    [Fact]
    public async Task UpsertLead_TimeShortOfTheBudget_StillWaitingForTheInner()
    {
        InnerNeverAnswers();
        using var caller = new CancellationTokenSource();

        var upsert = CreateSut().UpsertLeadAsync(Lead(), caller.Token);
        _time.Advance(Budget - TimeSpan.FromMilliseconds(1));

        Assert.False(upsert.IsCompleted);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upsert);
    }

    [Fact]
    public async Task UpsertLead_EachCall_GetsAFullBudgetOfItsOwn()
    {
        var sut = CreateSut();
        _inner.UpsertLeadAsync(Arg.Any<CrmLeadUpsert>(), Arg.Any<CancellationToken>())
            .Returns(new CrmUpsertResult { RecordId = "00Q000000000001", Created = true });
        await sut.UpsertLeadAsync(Lead(), CancellationToken.None);
        _time.Advance(Budget - TimeSpan.FromSeconds(1));
        InnerNeverAnswers();
        using var caller = new CancellationTokenSource();

        var second = sut.UpsertLeadAsync(Lead(), caller.Token);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.False(second.IsCompleted);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
    }

    [Fact]
    public async Task UpsertLead_CallerCancels_OperationCanceledNotTransient()
    {
        InnerNeverAnswers();
        using var caller = new CancellationTokenSource();

        var upsert = CreateSut().UpsertLeadAsync(Lead(), caller.Token);
        await caller.CancelAsync();

        // The host is shutting down: the message goes back to the queue as is, not counted as a CRM failure.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upsert);
    }

    [Fact]
    public async Task UpsertLead_InnerRefusesPermanently_SameExceptionUnchanged()
    {
        var refusal = new CrmPermanentException("Acme refused lead 'lead-sf-1' (HTTP 400): INVALID_EMAIL_ADDRESS");
        _inner.UpsertLeadAsync(Arg.Any<CrmLeadUpsert>(), Arg.Any<CancellationToken>()).ThrowsAsync(refusal);

        var failure = await Assert.ThrowsAsync<CrmPermanentException>(() => CreateSut().UpsertLeadAsync(Lead(), CancellationToken.None));

        Assert.Same(refusal, failure);
    }
}
