using System.Globalization;
using System.Text.Json;

namespace Smarketing.HostStandIn;

/// <summary>The <c>extensions.queues</c> section of the app's own host.json, as the Functions host reads it.</summary>
public sealed record HostQueueSettings(int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval, int BatchSize, string MessageEncoding)
{
    public static HostQueueSettings FromHostJson()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "host.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var queues = document.RootElement.GetProperty("extensions").GetProperty("queues");
        return new HostQueueSettings(
            queues.GetProperty("maxDequeueCount").GetInt32(),
            TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!, CultureInfo.InvariantCulture),
            TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!, CultureInfo.InvariantCulture),
            queues.GetProperty("batchSize").GetInt32(),
            queues.GetProperty("messageEncoding").GetString()!);
    }
}
