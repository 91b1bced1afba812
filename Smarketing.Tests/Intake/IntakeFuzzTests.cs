using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Smarketing.Core.Intake.Generic;
using Smarketing.Core.Intake.HubSpot;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Intake;

/// <summary>
/// Random and mutated deliveries through the real ScoreLead on Azurite: never a 5xx, never an exception,
/// and the ledger and queue hold exactly what the accepted deliveries put there.
/// </summary>
public sealed class IntakeFuzzTests
{
    private const string HubSpotSecret = "hubspot-client-secret-0123456789";
    private const string MarketoSecret = "marketo-shared-secret-0123456789";
    private static readonly int[] Answers = [202, 400, 401, 404, 413, 415];
    private static readonly string[] Sources = ["generic", "hubspot", "marketo", "unknown"];
    private static readonly string[] FieldNames =
        ["id", "email", "phone", "industry", "companySize", "actions", "attributes", "campaign", "ownerId", "properties", "vid", "numemployees", "viewedPricingPage", "zzz"];

    private static readonly Gen<string> JsonValues = Gen.OneOf(
        Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e400"),
        Gen.String[0, 60].Select(s => JsonSerializer.Serialize(s)),
        Gen.Char.Array[0, 10].Select(c => JsonSerializer.Serialize(new string(c))),
        Gen.OneOfConst("true", "false", "null", "[]", "{}", "\"\"", "-1", "99999999999999999999", "1e400", "\"2026-13-45T99:00\"",
            "{\"count\":-3}", "{\"count\":2,\"lastAt\":\"yesterday\"}", "{\"value\":\"SaaS\"}", "\"a@b.c\"", "\"test@example.com\"", "\"100-500\"", "\"\\u0000\"",
            "\"a\\ud800@example.com\"", "{\"\\udc00\":true}", "{\"value\":\"\\ud800\"}"),
        Gen.Int[1, 80].Select(depth => new string('[', depth) + new string(']', depth)),
        Gen.Int[1, 80].Select(depth => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));

    private static readonly Gen<string> BaseBodies = Gen.OneOfConst(
        Leads.Article().ToJsonString(), Leads.ScoringExactly70().ToJsonString(), Payloads.HubSpotContact, Payloads.HubSpotFlat, Payloads.MarketoTemplate);

    private static readonly Gen<string> Bodies = Gen.OneOf(
        BaseBodies,
        Gen.Select(BaseBodies, Gen.Int[0, FieldNames.Length - 1], JsonValues, (b, f, v) => SetField(b, FieldNames[f], v)),
        Gen.Select(BaseBodies, Gen.Int[0, FieldNames.Length - 1], (b, f) => RemoveField(b, FieldNames[f])),
        Gen.Select(BaseBodies, Gen.Int[0, 2000], Gen.Char, (b, p, c) => b.Insert(p % (b.Length + 1), c.ToString())),
        Gen.Select(BaseBodies, Gen.Int[0, 2000], (b, p) => b.Remove(p % b.Length, 1)),
        Gen.Select(BaseBodies, Gen.Int[0, 2000], (b, p) => b[..(p % b.Length)]),
        BaseBodies.Select(b => "{\"\\ud800\":1," + b[1..]),
        Gen.String[0, 200],
        JsonValues);

    // Textual, so that values JsonNode cannot hold (a lone-surrogate escape) reach the intake as sent.
    private static string SetField(string body, string field, string value)
    {
        var rest = RemoveField(body, field);
        return "{\"" + field + "\":" + value + (rest.Length > 2 ? "," + rest[1..] : "}");
    }

    private static string RemoveField(string body, string field)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        node.Remove(field);
        return node.ToJsonString();
    }

    private static Dictionary<string, string> Headers(TestApp app, string source, string body, bool signed)
    {
        var headers = new Dictionary<string, string>();
        if (!signed)
        {
            headers[StandardWebhooks.SignatureHeader] = "v1,AAAA";
            headers["X-Smarketing-Secret"] = "guess";
            return headers;
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        switch (source)
        {
            case "hubspot":
                var ms = app.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                headers[HubSpotSignatures.TimestampHeader] = ms;
                headers[HubSpotSignatures.V3Header] = HubSpotSignatures.SignV3(HubSpotSecret, "POST", "https://smarketing.example.com/api/leads/hubspot", bytes, ms);
                break;
            case "marketo":
                headers["X-Smarketing-Secret"] = MarketoSecret;
                break;
            default:
                StandardWebhooks.TryDecodeSecret(TestApp.GenericSecret, out var key);
                var id = "msg_" + Guid.NewGuid().ToString("N");
                var ts = app.Time.GetUtcNow().ToUnixTimeSeconds();
                headers[StandardWebhooks.IdHeader] = id;
                headers[StandardWebhooks.TimestampHeader] = ts.ToString(CultureInfo.InvariantCulture);
                headers[StandardWebhooks.SignatureHeader] = StandardWebhooks.Sign(key, id, ts, bytes);
                break;
        }

        return headers;
    }

    [Fact]
    public async Task Intake_ThousandsOfRandomAndMutatedDeliveries_NeverA5xxAndOnlyAcceptedOnesStored()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Intake:HubSpot:ClientSecrets"] = HubSpotSecret,
            ["Intake:Marketo:Secrets"] = MarketoSecret,
        });
        var accepted = new ConcurrentDictionary<string, byte>();
        var enqueued = 0;
        var cases = 0;
        var rejected = 0;

        var deliveries = Gen.Select(Bodies, Gen.Int[0, Sources.Length - 1], Gen.Int[0, 9], Gen.Bool);
        await deliveries.SampleAsync(
            async (body, source, signedWeight, textPlain) =>
            {
                Interlocked.Increment(ref cases);
                var sourceName = Sources[source];
                var signed = signedWeight < 8;
                var contentType = textPlain && signedWeight == 0 ? "text/plain" : "application/json";
                var route = sourceName == "generic" ? null : sourceName;

                var response = await app.PostToSourceAsync(route, body, contentType, Headers(app, sourceName, body, signed));

                Assert.Contains(response.Status, Answers);
                if (response.Status == 202)
                {
                    accepted.TryAdd(response.Json.GetProperty("leadId").GetString()!, 0);
                    if (response.Json.GetProperty("handoffEnqueued").GetBoolean())
                    {
                        Interlocked.Increment(ref enqueued);
                    }
                }
                else
                {
                    Interlocked.Increment(ref rejected);
                    Assert.Equal("application/problem+json", response.ContentType);
                }
            },
            iter: 3000,
            threads: 4);

        Assert.True(cases >= 3000, $"only {cases} cases ran");
        Assert.InRange(rejected, 300, cases - 100);
        var stored = (await TestApp.RowsAsync(app.Layout.LeadLedger)).Where(r => r.RowKey == Smarketing.Functions.Storage.TableLeadLedger.RowKey).Select(r => r.GetString("LeadId")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(accepted.Keys.Order(StringComparer.Ordinal), stored);
        var queued = (await app.Layout.Handoff.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        Assert.Equal(enqueued, queued);
    }
}
