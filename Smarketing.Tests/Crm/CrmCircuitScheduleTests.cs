using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Smarketing.Core.Handoff;
using Xunit;

namespace Smarketing.Tests.Crm;

/// <summary>The CRM circuit's probe schedule and claim, on a fake clock and an in-memory state row with ETags.</summary>
public sealed class CrmCircuitScheduleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly MemoryStateStore _store = new();

    private CrmCircuit CreateSut()
    {
        var crm = Substitute.For<ICrmClient>();
        crm.Provider.Returns("HubSpot");
        return new CrmCircuit(_store, crm, Options.Create(new CrmOptions()), _time, NullLogger<CrmCircuit>.Instance);
    }

    [Fact]
    public async Task RecordFailure_DownProbeAfterProbe_Waits30sDoublingUpTo15Minutes()
    {
        var sut = CreateSut();
        var waits = new List<TimeSpan>();
        var pass = await sut.EnterAsync(CancellationToken.None);
        for (var i = 0; i < 8; i++)
        {
            var state = await sut.RecordFailureAsync(new CrmTransientException("503", CrmCondition.Down, 503, null), pass, "503", CancellationToken.None);
            waits.Add(state.NextProbeAt!.Value - _time.GetUtcNow());
            _time.SetUtcNow(state.NextProbeAt!.Value);
            pass = await sut.EnterAsync(CancellationToken.None);
            Assert.True(pass.IsProbe);
        }

        Assert.Equal([30, 60, 120, 240, 480, 900, 900, 900], waits.Select(w => (int)w.TotalSeconds));
    }

    [Theory]
    [InlineData(CrmCondition.Throttled, 120, 120)]
    [InlineData(CrmCondition.Throttled, null, 30)]
    [InlineData(CrmCondition.DailyLimit, null, 900)]
    [InlineData(CrmCondition.CredentialsRefused, null, 300)]
    public async Task RecordFailure_EachCondition_ItsOwnWait(CrmCondition condition, int? retryAfterSeconds, int expectedSeconds)
    {
        var sut = CreateSut();
        var pass = await sut.EnterAsync(CancellationToken.None);
        var retryAfter = retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;

        var state = await sut.RecordFailureAsync(new CrmTransientException("x", condition, null, retryAfter), pass, "x", CancellationToken.None);

        Assert.True(state.Open);
        Assert.Equal(condition, state.Condition);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), state.NextProbeAt!.Value - _time.GetUtcNow());
    }

    [Fact]
    public async Task EnterAsync_OpenBeforeTheProbe_DeferredUntilItWithoutAProbe()
    {
        var sut = CreateSut();
        var state = await sut.RecordFailureAsync(new CrmTransientException("503", CrmCondition.Down, 503, null), await sut.EnterAsync(CancellationToken.None), "503", CancellationToken.None);

        var pass = await sut.EnterAsync(CancellationToken.None);

        Assert.False(pass.Proceed);
        Assert.False(pass.IsProbe);
        Assert.Equal(state.NextProbeAt, pass.DeferUntil);
    }

    [Fact]
    public async Task EnterAsync_ProbeDue_OneClaimThenTheOthersWaitForItsOutcome()
    {
        var sut = CreateSut();
        var state = await sut.RecordFailureAsync(new CrmTransientException("503", CrmCondition.Down, 503, null), await sut.EnterAsync(CancellationToken.None), "503", CancellationToken.None);
        _time.SetUtcNow(state.NextProbeAt!.Value);

        var probe = await sut.EnterAsync(CancellationToken.None);
        var other = await sut.EnterAsync(CancellationToken.None);
        await sut.RecordReachedAsync(other, CancellationToken.None);

        Assert.True(probe.IsProbe);
        Assert.False(other.Proceed);
        Assert.True((await sut.ReadAsync(CancellationToken.None)).Open);

        await sut.RecordReachedAsync(probe, CancellationToken.None);
        var closed = await sut.ReadAsync(CancellationToken.None);
        Assert.False(closed.Open);
        Assert.Equal("503", closed.LastError);
        Assert.True((await sut.EnterAsync(CancellationToken.None)).Proceed);
    }

    [Fact]
    public void DeferralTime_FarProbe_CappedAtMaxDeferral()
    {
        var sut = CreateSut();

        var at = sut.DeferralTime(_time.GetUtcNow() + TimeSpan.FromDays(30));

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromDays(1), at);
    }

    private sealed class MemoryStateStore : ICrmStateStore
    {
        private CrmState? _row;
        private int _version;

        public Task<CrmState> ReadAsync(string provider, CancellationToken cancellationToken) =>
            Task.FromResult(_row ?? CrmState.Closed(provider));

        public Task<bool> TryWriteAsync(CrmState state, CancellationToken cancellationToken)
        {
            if (state.ETag != _row?.ETag)
            {
                return Task.FromResult(false);
            }

            _row = state with { ETag = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            return Task.FromResult(true);
        }
    }
}
