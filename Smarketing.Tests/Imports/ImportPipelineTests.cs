using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Core.Contracts;
using Smarketing.Core.Leads;
using Smarketing.Functions.LeadImports;
using Smarketing.Tests.Crm;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Imports;

/// <summary>
/// Bulk import end to end on Azurite with the sandbox CRM: the upload endpoint, the split and chunk work on
/// <c>lead-imports</c>, the batched handoff on <c>mql-handoff-batch</c>, progress and rejected rows, run by the host's
/// queue listener stand-in.
/// </summary>
public sealed class ImportPipelineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static readonly Dictionary<string, string?> SmallChunks = new() { ["Imports:ChunkSize"] = "50" };

    [Fact]
    public async Task Import_CsvWithBomCrlfAndTrickyQuoting_EveryLeadRecordedAsWritten()
    {
        await using var app = await TestApp.StartAsync(settings: SmallChunks);
        // A BOM, CRLF line ends, a quoted comma, doubled quotes, and a quoted line break in a column the app ignores.
        var csv = "\uFEFFEmail,Phone,Industry,companySize,Campaign,Notes,actions.viewedPricingPage,actions.downloadedCaseStudy\r\n" +
            "ada@example.com,+44 20 7946 0000,SaaS,500,\"Expo \"\"Berlin\"\", Hall 3\",\"met at the booth,\r\nwants a demo\",true,true\r\n" +
            "grace@example.com,+1 202 555 0100,Retail,3,\"Webinar, Q4\",,false,false\r\n" +
            "\"linus@example.com\",+358 9 1234567,FinTech,250,Expo,\"said \"\"call me\"\"\",yes,1\r\n";

        var posted = await app.PostImportAsync(csv);
        Assert.Equal(202, posted.Status);
        var importId = posted.ImportId();
        Assert.Equal($"/api/imports/{importId}", posted.Headers.Location.ToString());
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);

        var ada = await app.LedgerAsync(LeadId(app, "ada@example.com"));
        Assert.NotNull(ada);
        Assert.Equal("Expo \"Berlin\", Hall 3", ada.Campaign);
        Assert.Equal(LeadStatus.Sal, ada.Status);
        var grace = await app.LedgerAsync(LeadId(app, "grace@example.com"));
        Assert.Equal("Webinar, Q4", grace!.Campaign);
        Assert.Equal(LeadStatus.New, grace.Status);
        var linus = await app.LedgerAsync(LeadId(app, "linus@example.com"));
        Assert.Equal(LeadStatus.Sal, linus!.Status);

        var progress = (await app.GetImportAsync(importId)).Json;
        Assert.Equal("finished", progress.GetProperty("state").GetString());
        Assert.Equal(3, progress.GetProperty("rows").GetInt64());
        Assert.Equal(3, progress.GetProperty("accepted").GetInt64());
        Assert.Equal(0, progress.GetProperty("rejected").GetInt64());
        Assert.Equal(2, progress.GetProperty("mqls").GetInt64());
        Assert.Equal(2, progress.GetProperty("handedOff").GetInt64());
        Assert.Equal(2, (await TestApp.RowsAsync(app.Layout.SandboxCrm)).Count);
    }

    [Fact]
    public async Task Import_ThreePercentBadRows_ExactlyThoseRowsRejectedWithReasons_OthersImported()
    {
        await using var app = await TestApp.StartAsync(settings: SmallChunks);
        static bool Bad(int i) => i % 33 == 5; // 6 of 200 rows: 3 %.
        var csv = ImportTesting.GeneratedCsv(200, bad: Bad);
        var importId = (await app.PostImportAsync(csv)).ImportId();
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);

        var rejected = await app.GetRejectedAsync(importId);
        Assert.Equal(200, rejected.Status);
        Assert.StartsWith("text/csv", rejected.ContentType, StringComparison.Ordinal);
        var lines = rejected.Body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("row,field,problem", lines[0]);
        // Spreadsheet rows: the header is row 1, lead i is row i + 2.
        var expectedRows = Enumerable.Range(0, 200).Where(Bad).Select(i => (i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expectedRows, lines.Skip(1).Select(l => l.Split(',')[0]).ToList());
        Assert.All(lines.Skip(1), l => Assert.Contains(",email,", l, StringComparison.Ordinal));

        var progress = (await app.GetImportAsync(importId)).Json;
        Assert.Equal(200, progress.GetProperty("rows").GetInt64());
        Assert.Equal(194, progress.GetProperty("accepted").GetInt64());
        Assert.Equal(6, progress.GetProperty("rejected").GetInt64());
        var mqls = Enumerable.Range(0, 200).Count(i => !Bad(i) && i % 2 == 0);
        Assert.Equal(mqls, progress.GetProperty("mqls").GetInt64());
        Assert.Equal(mqls, progress.GetProperty("handedOff").GetInt64());
        Assert.Equal(194, (await TestApp.RowsAsync(app.Layout.LeadLedger)).Count(r => r.RowKey == "ledger"));
        Assert.Equal(mqls, (await TestApp.RowsAsync(app.Layout.SandboxCrm)).Count);
    }

    [Fact]
    public async Task Import_SameUploadAgain_SameImportAndNothingChanges()
    {
        await using var app = await TestApp.StartAsync(settings: SmallChunks);
        var csv = ImportTesting.GeneratedCsv(120);
        var first = await app.PostImportAsync(csv);
        Assert.Equal(202, first.Status);
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);
        var ledgerBefore = Fingerprint(await TestApp.RowsAsync(app.Layout.LeadLedger));
        var crmBefore = Fingerprint(await TestApp.RowsAsync(app.Layout.SandboxCrm));
        var progressBefore = (await app.GetImportAsync(first.ImportId())).Body;

        var again = await app.PostImportAsync(csv);
        Assert.Equal(200, again.Status);
        Assert.Equal(first.ImportId(), again.ImportId());
        Assert.True(again.Json.GetProperty("duplicate").GetBoolean());
        var store = app.Services.GetRequiredService<ImportStore>();
        Assert.Equal(0, (await store.Work.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);

        Assert.Equal(ledgerBefore, Fingerprint(await TestApp.RowsAsync(app.Layout.LeadLedger)));
        Assert.Equal(crmBefore, Fingerprint(await TestApp.RowsAsync(app.Layout.SandboxCrm)));
        Assert.Equal(progressBefore, (await app.GetImportAsync(first.ImportId())).Body);

        // The same Idempotency-Key with another file is refused, and starts nothing.
        var keyed = await app.PostImportAsync(csv, idempotencyKey: "list-42");
        Assert.Equal(202, keyed.Status);
        var conflict = await app.PostImportAsync(ImportTesting.GeneratedCsv(10, first: 500), idempotencyKey: "list-42");
        Assert.Equal(409, conflict.Status);
        Assert.Equal(Problems, conflict.ContentType);
    }

    [Fact]
    public async Task Import_ProcessKilledMidway_ResumesOnANewInstance_NoLeadLostOrDoubled()
    {
        await using var app = await TestApp.StartAsync(settings: SmallChunks);
        var csv = ImportTesting.GeneratedCsv(400);
        var importId = (await app.PostImportAsync(csv)).ImportId();

        // The first instance dies 30 ms into its first chunk: the invocation stops where it is, its message stays leased,
        // and comes back when the lease lapses, as the host's do after a crash.
        var store = app.Services.GetRequiredService<ImportStore>();
        using var kill = new CancellationTokenSource();
        var invocations = 0;
        var dying = new HostStandIn.QueueTriggerHost(store.Work, store.WorkPoison, HostStandIn.HostQueueSettings.FromHostJson(), async (m, ct) =>
        {
            if (Interlocked.Increment(ref invocations) == 2)
            {
                kill.CancelAfter(TimeSpan.FromMilliseconds(30));
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, kill.Token);
            await app.Function<Functions.ProcessImport>().Run(m, linked.Token);
        })
        {
            Lease = TimeSpan.FromSeconds(3),
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dying.RunUntilEmptyAsync(Timeout, kill.Token));
        Assert.NotEqual("finished", (await app.GetImportAsync(importId)).Json.GetProperty("state").GetString());

        await using (var second = await app.StartInstanceAsync(SmallChunks))
        {
            await second.ImportListeners(concurrency: 4).RunUntilEmptyAsync(Timeout);
        }

        var ledger = (await TestApp.RowsAsync(app.Layout.LeadLedger)).Where(r => r.RowKey == "ledger").ToList();
        var crm = await TestApp.RowsAsync(app.Layout.SandboxCrm);
        Assert.Equal(400, ledger.Count);
        Assert.Equal(200, crm.Count);
        Assert.Equal(200, crm.Select(r => r.GetString("ExternalId")).Distinct().Count());
        for (var i = 0; i < 400; i += 2)
        {
            Assert.Equal(LeadStatus.Sal, (await app.LedgerAsync(LeadId(app, $"lead{i}@example.com")))!.Status);
        }

        var progress = (await app.GetImportAsync(importId)).Json;
        Assert.Equal("finished", progress.GetProperty("state").GetString());
        Assert.Equal(400, progress.GetProperty("accepted").GetInt64());
        Assert.Equal(200, progress.GetProperty("handedOff").GetInt64());
    }

    [Fact]
    public async Task Import_BadUploads_RefusedWithAProblem_NothingStored()
    {
        await using var app = await TestApp.StartAsync();
        var noEmail = await app.PostImportAsync("name,phone\r\nAda,+44 20 7946 0000\r\n");
        Assert.Equal(400, noEmail.Status);
        Assert.Contains("email", noEmail.Json.GetProperty("detail").GetString()!, StringComparison.OrdinalIgnoreCase);

        var wrongType = await app.PostImportAsync("{}", contentType: "application/json");
        Assert.Equal(415, wrongType.Status);

        var badMapping = await app.PostImportAsync("Mail\r\nada@example.com\r\n", mapping: "Mail=emial");
        Assert.Equal(400, badMapping.Status);

        var unknownMapping = await app.PostImportAsync("Mail\r\nada@example.com\r\n", mapping: "trade-show");
        Assert.Equal(400, unknownMapping.Status);

        var store = app.Services.GetRequiredService<ImportStore>();
        Assert.Empty(await TestApp.RowsAsync(store.Imports));
        Assert.Equal(0, (await store.Work.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Import_MappingAndJsonLines_MapColumnsAndReadLines()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Imports:Mappings:badge-scanner"] = "Mail=email;Tel=phone;Sector=industry;Staff=companySize" });
        var mapped = await app.PostImportAsync("Mail,Tel,Sector,Staff\r\nada@example.com,+44 20 7946 0000,SaaS,500\r\n", mapping: "badge-scanner");
        Assert.Equal(202, mapped.Status);
        var lines = "{\"email\":\"grace@example.com\",\"phone\":\"+1 202 555 0100\",\"industry\":\"SaaS\",\"companySize\":300,\"actions\":{\"viewedPricingPage\":true,\"downloadedCaseStudy\":true}}\n" +
            "{not json}\n";
        var jsonl = await app.PostImportAsync(lines, contentType: "application/x-ndjson");
        Assert.Equal(202, jsonl.Status);
        await app.ImportListeners().RunUntilEmptyAsync(Timeout);

        var ada = await app.LedgerAsync(LeadId(app, "ada@example.com"));
        Assert.Equal("SaaS", ada!.Industry);
        Assert.Equal(500, ada.CompanySize);
        Assert.Equal(LeadStatus.Sal, (await app.LedgerAsync(LeadId(app, "grace@example.com")))!.Status);
        var rejected = (await app.GetRejectedAsync(jsonl.ImportId())).Body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rejected.Length);
        Assert.StartsWith("2,", rejected[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ChunkFailsEveryDelivery_ImportFailedNamingTheChunk_OtherChunksStand()
    {
        await using var app = await TestApp.StartAsync(settings: SmallChunks);
        var importId = (await app.PostImportAsync(ImportTesting.GeneratedCsv(100))).ImportId();
        var store = app.Services.GetRequiredService<ImportStore>();
        await app.Services.GetRequiredService<ImportProcessor>().SplitAsync(importId, CancellationToken.None);
        await store.ChunkBlob(importId, 0).UploadAsync(BinaryData.FromString("{ not a chunk"), overwrite: true);

        await (app.ImportListeners() with { FailOnErrors = false }).RunUntilEmptyAsync(Timeout);

        var progress = (await app.GetImportAsync(importId)).Json;
        Assert.Equal("failed", progress.GetProperty("state").GetString());
        Assert.StartsWith("Chunk 0 (rows from 2) could not be processed", progress.GetProperty("failure").GetString(), StringComparison.Ordinal);
        Assert.Equal(50, progress.GetProperty("accepted").GetInt64());
        Assert.Equal(LeadStatus.Sal, (await app.LedgerAsync(LeadId(app, "lead50@example.com")))!.Status);
        Assert.Null(await app.LedgerAsync(LeadId(app, "lead0@example.com")));
    }

    private const string Problems = "application/problem+json";

    internal static string LeadId(TestApp app, string email) =>
        Identifiers.NormalizeLeadId(app.Services.GetRequiredService<LeadIds>().For(null, email));

    private static string Fingerprint(IEnumerable<Azure.Data.Tables.TableEntity> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows.OrderBy(r => r.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal))
        {
            text.Append(row.PartitionKey).Append('|').Append(row.RowKey).Append('|').Append(row.ETag).Append('\n');
        }

        return text.ToString();
    }
}
