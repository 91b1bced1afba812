using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Intake.Generic;
using Smarketing.Functions;
using Smarketing.Functions.Composition;
using Smarketing.Functions.Storage;

namespace Smarketing.Tests.Infrastructure;

/// <summary>
/// The function app as the worker builds it (its own composition root, <see cref="DependencyInjection.AddSmarketing"/>),
/// on its own Azurite account, with the real function classes and a stand-in for the host's queue listener.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly AccountLease _account;
    private readonly bool _ownsAccount;

    private TestApp(IHost host, FakeTimeProvider time, AccountLease account, bool ownsAccount = true)
    {
        _host = host;
        _account = account;
        _ownsAccount = ownsAccount;
        ConnectionString = account.ConnectionString;
        Time = time;
        Layout = host.Services.GetRequiredService<StorageLayout>();
    }

    public IServiceProvider Services => _host.Services;

    /// <summary>The connection string of this app's own Azurite account.</summary>
    public string ConnectionString { get; }

    public FakeTimeProvider Time { get; }

    public StorageLayout Layout { get; }

    public static readonly Dictionary<string, string?> DefaultSettings = new()
    {
        ["Crm:Provider"] = "Sandbox",
        ["Routing:Reps"] = "rep-ada,rep-grace,rep-linus",
        ["Intake:Generic:Secrets"] = GenericSecret,
        ["Feedback:Generic:Secrets"] = FeedbackSecret,
        ["Intake:LeadIdKey"] = LeadIdKey,
        ["Admin:Keys"] = AdminKey,
    };

    /// <summary>The admin key (setting <c>Admin:Keys</c>) the test app's read and admin APIs accept.</summary>
    public const string AdminKey = "adm_Vq7Lr2Xe9Tc4Nw8Pz3Kh6Bj1Mf5Ds0Ga";

    /// <summary>A request to a read or admin API carrying <see cref="AdminKey"/>, as an operator's tool sends it.</summary>
    public static Microsoft.AspNetCore.Http.HttpRequest AdminRequest(string method, string path, string? body = null)
    {
        var request = HttpInvoker.Request(method, path, body);
        request.Headers[Smarketing.Functions.Http.AdminOptions.KeyHeader] = AdminKey;
        return request;
    }

    /// <summary>The key of the test app's lead-id HMAC (a deployment's own secret).</summary>
    public const string LeadIdKey = "lid_Qm9yZWFsLWtleS1mb3ItbGVhZC1pZHMtOTg3NjU0";

    /// <summary>The Standard Webhooks secret the test app's generic feedback endpoint accepts (a caller of its own).</summary>
    public const string FeedbackSecret = "whsec_c2VjcmV0LWZvci1mZWVkYmFjay0wMTIzNDU2Nzg5";

    /// <summary>The Standard Webhooks secret the test app's generic source accepts.</summary>
    public const string GenericSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public static async Task<TestApp> StartAsync(
        Action<IHostApplicationBuilder>? configure = null,
        IDictionary<string, string?>? settings = null,
        bool startHost = true,
        DateTimeOffset? clockStart = null)
    {
        var account = await Azurite.LeaseAccountAsync();
        try
        {
            return await StartOnAsync(account, ownsAccount: true, configure, settings, startHost, clockStart);
        }
        catch
        {
            await account.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Another instance of the app (its own composition root, caches and clock) on this app's storage account, as a
    /// scaled-out host runs it; disposing it leaves the account to this app.
    /// </summary>
    public Task<TestApp> StartInstanceAsync(IDictionary<string, string?>? settings = null, Action<IHostApplicationBuilder>? configure = null) =>
        StartOnAsync(_account, ownsAccount: false, configure, settings, startHost: true, Time.GetUtcNow());

    private static async Task<TestApp> StartOnAsync(
        AccountLease account,
        bool ownsAccount,
        Action<IHostApplicationBuilder>? configure,
        IDictionary<string, string?>? settings,
        bool startHost,
        DateTimeOffset? clockStart)
    {
        var connection = account.ConnectionString;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        var values = new Dictionary<string, string?>(DefaultSettings) { [StorageOptions.ConnectionSetting] = connection };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        var time = new FakeTimeProvider(clockStart ?? new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.AddSmarketing();

        // Deferred handoffs come back when the fake clock says, not after real minutes (see ClockedHandoffEnqueuer).
        builder.Services.AddSingleton<QueueHandoffEnqueuer>();
        builder.Services.AddSingleton(sp => new ClockedHandoffEnqueuer(sp.GetRequiredService<QueueHandoffEnqueuer>(), time));
        builder.Services.AddSingleton<IHandoffEnqueuer>(sp => sp.GetRequiredService<ClockedHandoffEnqueuer>());
        configure?.Invoke(builder);
        var host = builder.Build();
        try
        {
            if (startHost)
            {
                await host.StartAsync();
            }
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new TestApp(host, time, account, ownsAccount);
    }

    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(_host.Services);

    /// <summary>Posts a lead to the generic source, signed with <see cref="GenericSecret"/> under a fresh (or the given) webhook-id.</summary>
    public Task<HttpResult> PostLeadAsync(string json, string contentType = "application/json", string? webhookId = null)
    {
        var timestamp = Time.GetUtcNow().ToUnixTimeSeconds();
        webhookId ??= "msg_" + Guid.NewGuid().ToString("N");
        StandardWebhooks.TryDecodeSecret(GenericSecret, out var key);
        var signature = StandardWebhooks.Sign(key, webhookId, timestamp, System.Text.Encoding.UTF8.GetBytes(json));
        return PostToSourceAsync(null, json, contentType, new Dictionary<string, string>
        {
            [StandardWebhooks.IdHeader] = webhookId,
            [StandardWebhooks.TimestampHeader] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [StandardWebhooks.SignatureHeader] = signature,
        });
    }

    /// <summary>Posts a body to <c>/api/leads[/{source}]</c> with exactly the given headers.</summary>
    public async Task<HttpResult> PostToSourceAsync(string? source, string body, string contentType, IDictionary<string, string> headers, string scheme = "https", string host = "smarketing.example.com")
    {
        var request = HttpInvoker.Request("POST", source is null ? "/api/leads" : "/api/leads/" + source, body, contentType);
        request.Scheme = scheme;
        request.Host = new Microsoft.AspNetCore.Http.HostString(host);
        foreach (var (name, value) in headers)
        {
            request.Headers[name] = value;
        }

        var result = await Function<ScoreLead>().Run(request, source, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    /// <summary>Posts generic CRM feedback signed with <see cref="FeedbackSecret"/>, as a CRM integration would.</summary>
    public async Task<HttpResult> PostFeedbackAsync(string json)
    {
        var request = HttpInvoker.Request("POST", "/api/crm/feedback", json);
        SignFeedback(request, json);
        var result = await Function<RecordCrmFeedback>().Run(request, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    /// <summary>Adds the Standard Webhooks headers of <see cref="FeedbackSecret"/> for <paramref name="body"/>, at the app's clock.</summary>
    public void SignFeedback(Microsoft.AspNetCore.Http.HttpRequest request, string body, string id = "")
    {
        ArgumentNullException.ThrowIfNull(request);
        StandardWebhooks.TryDecodeSecret(FeedbackSecret, out var key);
        id = id.Length > 0 ? id : "msg_" + Guid.NewGuid().ToString("N");
        var ts = Time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers[StandardWebhooks.IdHeader] = id;
        request.Headers[StandardWebhooks.TimestampHeader] = ts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers[StandardWebhooks.SignatureHeader] = StandardWebhooks.Sign(key, id, ts, System.Text.Encoding.UTF8.GetBytes(body));
    }

    public async Task<HttpResult> GetLeadAsync(string leadId)
    {
        var request = AdminRequest("GET", "/api/leads/" + leadId);
        var result = await Function<GetLead>().Run(request, leadId, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    /// <summary>
    /// The host's queue listeners for <c>mql-handoff</c>, dispatching to the real <see cref="HandOffMql"/>, and for
    /// <c>mql-handoff-poison</c>, dispatching to the real <see cref="RecordPoisonedHandoff"/> once the first is empty.
    /// A message deferred for the CRM moves the fake clock on to its time first (<see cref="ClockedHandoffEnqueuer"/>).
    /// </summary>
    public QueueTriggerHost HandoffListener(TimeSpan? retryDelay = null, int concurrency = 1)
    {
        var settings = HostQueueSettings.FromHostJson();
        var poisonPoison = Services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient(HandoffMessage.PoisonQueueName + "-poison");
        return new QueueTriggerHost(Layout.Handoff, Layout.HandoffPoison, settings, (message, ct) =>
        {
            ClockedHandoffEnqueuer.FollowClock(Time, message.Body);
            return Function<HandOffMql>().Run(message, ct);
        })
        {
            RetryDelay = retryDelay ?? settings.VisibilityTimeout,
            Concurrency = concurrency,
            PoisonListener = new QueueTriggerHost(Layout.HandoffPoison, poisonPoison, settings, (message, ct) => Function<RecordPoisonedHandoff>().Run(message, ct))
            {
                RetryDelay = retryDelay ?? settings.VisibilityTimeout,
            },
        };
    }

    public static async Task<List<PeekedMessage>> PeekAsync(Azure.Storage.Queues.QueueClient queue)
    {
        var messages = await queue.PeekMessagesAsync(32);
        return [.. messages.Value];
    }

    public static async Task<List<TableEntity>> RowsAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_ownsAccount)
        {
            await _account.DisposeAsync();
        }
    }
}
