using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Smarketing.Core.Intake.Generic;
using Smarketing.Functions.Composition;

namespace Smarketing.Tests.Infrastructure;

/// <summary>
/// The app as the isolated worker runs it with ASP.NET Core integration: its composition root on Kestrel
/// (127.0.0.1), the HTTP functions behind the host's key check (<see cref="LocalFunctionsServer.DefaultKeys"/>), and
/// every log category at Trace into the given provider, for tests of what reaches the logs.
/// </summary>
public static class WorkerWebApp
{
    public static async Task<WebApplication> StartAsync(IDictionary<string, string?> settings, ILoggerProvider logs)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.AddSmarketing();
        var web = builder.Build();
        web.MapFunctions(web.Services, LocalFunctionsServer.DefaultKeys);
        await web.StartAsync();
        return web;
    }

    /// <summary>A request with <paramref name="json"/> signed by a Standard Webhooks <paramref name="secret"/>, as a vendor sends it.</summary>
    public static HttpRequestMessage SignedRequest(HttpMethod method, string path, string json, string secret)
    {
        var webhookId = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        StandardWebhooks.TryDecodeSecret(secret, out var key);
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add(StandardWebhooks.IdHeader, webhookId);
        request.Headers.Add(StandardWebhooks.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(key, webhookId, timestamp, Encoding.UTF8.GetBytes(json)));
        return request;
    }
}
