using System.Reflection;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Leads;
using Smarketing.Functions.Http;
using Xunit;

namespace Smarketing.Tests.Architecture;

/// <summary>An event id names one event across the app, so a log query by id never mixes two.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void LoggerMessages_CoreAndFunctions_EventIdsUnique()
    {
        var events = new[] { typeof(LeadStatus).Assembly, typeof(Problems).Assembly }
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        var duplicates = events
            .GroupBy(e => e.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => $"{e.Method.DeclaringType!.FullName}.{e.Method.Name}"))}")
            .ToList();

        Assert.True(events.Count > 10, $"Only {events.Count} [LoggerMessage] methods found: the reflection no longer sees them.");
        Assert.True(duplicates.Count == 0, "Event ids used more than once: " + string.Join("; ", duplicates));
    }
}
