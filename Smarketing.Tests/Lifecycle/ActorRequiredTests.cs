using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Leads;
using Xunit;

namespace Smarketing.Tests.Lifecycle;

public sealed class ActorRequiredTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void TryApply_BlankActor_ThrowsAndChangesNothing(string actor)
    {
        var policy = new LifecyclePolicy(LifecycleOptions.CreateDefault(), new FakeTimeProvider());
        var lead = LeadLifecycle.Create(DateTimeOffset.UnixEpoch);

        Assert.Throws<ArgumentException>(() => lead.TryApply(new TransitionRequest { To = LeadStatus.Disqualified, Actor = actor, ReasonCode = "NOT_A_FIT" }, policy, out _));

        Assert.Equal(LeadStatus.New, lead.Status);
        Assert.Empty(lead.History);
    }
}
