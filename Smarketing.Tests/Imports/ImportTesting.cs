using System.Globalization;
using System.Text;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Functions;
using Smarketing.Functions.LeadImports;
using Smarketing.Functions.Storage;
using Smarketing.Tests.Infrastructure;

namespace Smarketing.Tests.Imports;

/// <summary>The import's HTTP calls and the host's listeners of its queues, on a <see cref="TestApp"/>.</summary>
internal static class ImportTesting
{
    public static async Task<HttpResult> PostImportAsync(this TestApp app, string body, string contentType = "text/csv", string? mapping = null, string? idempotencyKey = null)
    {
        var request = TestApp.AdminRequest("POST", "/api/imports", body);
        request.ContentType = contentType;
        if (mapping is not null)
        {
            request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?mapping=" + Uri.EscapeDataString(mapping));
        }

        if (idempotencyKey is not null)
        {
            request.Headers[SubmitImport.IdempotencyKeyHeader] = idempotencyKey;
        }

        var result = await app.Function<SubmitImport>().Run(request, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    public static async Task<HttpResult> GetImportAsync(this TestApp app, string importId)
    {
        var request = TestApp.AdminRequest("GET", "/api/imports/" + importId);
        var result = await app.Function<GetImport>().Run(request, importId, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    public static async Task<HttpResult> GetRejectedAsync(this TestApp app, string importId)
    {
        var request = TestApp.AdminRequest("GET", $"/api/imports/{importId}/rejected");
        var result = await app.Function<GetImport>().Rejected(request, importId, CancellationToken.None);
        return await HttpInvoker.ExecuteAsync(request, result);
    }

    /// <summary>
    /// The host's listeners of the import's queues (<c>lead-imports</c>, <c>mql-handoff-batch</c>) and of the one-lead
    /// handoff, dispatching to the real functions. A batch put back to wait moves the fake clock on to its time first, as
    /// <see cref="ClockedHandoffEnqueuer"/> does for one-lead messages.
    /// </summary>
    public static ImportListeners ImportListeners(this TestApp app, int concurrency = 1)
    {
        var store = app.Services.GetRequiredService<ImportStore>();
        var settings = HostQueueSettings.FromHostJson();
        return new ImportListeners(
            new QueueTriggerHost(store.Work, store.WorkPoison, settings, (m, ct) => app.Function<ProcessImport>().Run(m, ct)) { Concurrency = concurrency, RetryDelay = TimeSpan.FromMilliseconds(200) },
            new QueueTriggerHost(store.Batches, store.BatchesPoison, settings, (m, ct) =>
            {
                FollowBatchClock(app, m);
                return app.Function<HandOffMqlBatch>().Run(m, ct);
            })
            { Concurrency = concurrency, RetryDelay = TimeSpan.FromMilliseconds(200) },
            app.HandoffListener(TimeSpan.FromMilliseconds(200), concurrency))
        {
            Bulk = BulkListener(app, settings),
        };
    }

    // The Salesforce Bulk handoff's queue: a message put back to wait moves the fake clock on to its time first.
    private static QueueTriggerHost BulkListener(TestApp app, HostQueueSettings settings)
    {
        var bulk = app.Services.GetRequiredService<BulkHandoff>();
        return new QueueTriggerHost(bulk.Queue, bulk.PoisonQueue, settings, (m, ct) =>
        {
            if (m.Body.ToObjectFromJson<BulkHandoffWork>(SmarketingJson.Options)?.NotBefore is { } due && due - app.Time.GetUtcNow() is { } ahead && ahead > TimeSpan.Zero)
            {
                app.Time.Advance(ahead);
            }

            return app.Function<HandOffMqlBulk>().Run(m, ct);
        })
        { RetryDelay = TimeSpan.FromMilliseconds(200) };
    }

    private static void FollowBatchClock(TestApp app, QueueMessage message)
    {
        if (message.Body.ToObjectFromJson<HandoffBatch>(SmarketingJson.Options)?.NotBefore is { } due && due - app.Time.GetUtcNow() is { } ahead && ahead > TimeSpan.Zero)
        {
            app.Time.Advance(ahead);
        }
    }

    /// <summary>The id the 202 (or the 200 of a re-upload) names.</summary>
    public static string ImportId(this HttpResult result) => result.Json.GetProperty("importId").GetString()!;

    /// <summary>
    /// A CSV of <paramref name="count"/> leads from <paramref name="first"/>: even ones MQL under the default model (SaaS,
    /// 500 employees, pricing page and case study: 80 points), odd ones not (retail, 5 employees, nothing done: 0 points);
    /// rows that <paramref name="bad"/> picks have an e-mail address that is none.
    /// </summary>
    public static string GeneratedCsv(int count, int first = 0, string campaign = "trade-show-2026", Func<int, bool>? bad = null)
    {
        var csv = new StringBuilder("email,phone,industry,companySize,country,campaign,actions.viewedPricingPage,actions.downloadedCaseStudy\r\n");
        for (var i = first; i < first + count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            var email = bad?.Invoke(i) == true ? $"not-an-address-{n}" : $"lead{n}@example.com";
            var mql = i % 2 == 0;
            csv.Append(CultureInfo.InvariantCulture, $"{email},+49 30 {1000000 + i},{(mql ? "SaaS" : "Retail")},{(mql ? 500 : 5)},DE,{campaign},{(mql ? "true" : "false")},{(mql ? "true" : "false")}\r\n");
        }

        return csv.ToString();
    }
}

internal sealed record ImportListeners(QueueTriggerHost Work, QueueTriggerHost Batches, QueueTriggerHost Single)
{
    /// <summary>When true (the default), <see cref="RunUntilEmptyAsync"/> fails if any invocation failed on the way.</summary>
    public bool FailOnErrors { get; init; } = true;

    /// <summary>The listener of the Salesforce Bulk handoff's queue (<c>mql-handoff-bulk</c>).</summary>
    public QueueTriggerHost? Bulk { get; init; }

    /// <summary>Runs every listener until all the import's queues are empty (visible or not).</summary>
    public async Task RunUntilEmptyAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            await Work.RunUntilEmptyAsync(timeout, cts.Token);
            await Batches.RunUntilEmptyAsync(timeout, cts.Token);
            await Single.RunUntilEmptyAsync(timeout, cts.Token);
            if (Bulk is not null)
            {
                await Bulk.RunUntilEmptyAsync(timeout, cts.Token);
            }

            var work = (await Work.QueueCountAsync(cts.Token)) + (await Batches.QueueCountAsync(cts.Token)) + (await Single.QueueCountAsync(cts.Token))
                + (Bulk is null ? 0 : await Bulk.QueueCountAsync(cts.Token));
            if (work == 0)
            {
                if (FailOnErrors && Work.Errors.Concat(Batches.Errors).Concat(Single.Errors).Concat(Bulk?.Errors ?? []).ToList() is { Count: > 0 } errors)
                {
                    throw new AggregateException("The import's functions failed: " + string.Join(" | ", errors.Take(3).Select(e => e.ToString()[..Math.Min(1500, e.ToString().Length)])), errors);
                }

                return;
            }
        }
    }
}
