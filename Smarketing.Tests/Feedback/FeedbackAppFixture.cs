using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>
/// One app with every feedback format set up, shared by the tests of a class (they run one after another, each on its
/// own leads and notification ids), so a class takes one Azurite account.
/// </summary>
public sealed class FeedbackAppFixture : IAsyncLifetime
{
    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await FeedbackTesting.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>An app with no feedback settings at all, as a fresh deployment has.</summary>
public sealed class UnconfiguredAppFixture : IAsyncLifetime
{
    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await TestApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
