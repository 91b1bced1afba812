using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Smarketing.Soak;

/// <summary>One webhook delivery as a vendor sends it; a duplicate delivery is the same body under the same id.</summary>
internal sealed record Delivery(int Lead, string Source, byte[] Body, string WebhookId, bool Invalid, bool Mql, bool Repeat);

/// <summary>
/// The soak's mix: a third each from the generic source (Standard Webhooks), HubSpot (v3-signed contact JSON) and
/// Marketo (shared secret, every token a string); 60 % of valid leads above the threshold (score 80) and the rest at
/// or under it (70 or 50); 5 % invalid bodies; 10 % of valid leads delivered twice, the second time later on.
/// </summary>
internal static class Deliveries
{
    public const string Generic = "generic";
    public const string HubSpot = "hubspot";
    public const string Marketo = "marketo";

    public static List<Delivery> Plan(int leads, Random random)
    {
        var list = new List<Delivery>(leads + leads / 8);
        var repeats = new List<(int At, Delivery Delivery)>();
        for (var i = 0; i < leads; i++)
        {
            var source = (i % 3) switch { 0 => Generic, 1 => HubSpot, _ => Marketo };
            var invalid = random.NextDouble() < 0.05;
            var mql = !invalid && random.NextDouble() < 0.6;
            var nonMqlKind = random.Next(2);
            var body = invalid ? Encoding.UTF8.GetBytes($"{{\"id\": \"soak-{i}\", \"email\": ") : Encoding.UTF8.GetBytes(Body(source, i, mql, nonMqlKind));
            var delivery = new Delivery(i, source, body, "msg_soak_" + i.ToString(CultureInfo.InvariantCulture), invalid, mql, Repeat: false);
            list.Add(delivery);
            if (!invalid && random.NextDouble() < 0.10)
            {
                repeats.Add((i + random.Next(20, 400), delivery with { Repeat = true }));
            }
        }

        // Each repeat goes in later than its original, in reverse so earlier insertions don't shift later ones.
        foreach (var (at, delivery) in repeats.OrderByDescending(r => r.At))
        {
            list.Insert(Math.Min(at, list.Count), delivery);
        }

        return list;
    }

    private static string Body(string source, int i, bool mql, int nonMqlKind)
    {
        // 80 (SaaS, 250 people, pricing page, case study); 70 (the same plus a support contact: not above 70); 50 (40 people, no case study).
        var size = mql || nonMqlKind == 0 ? 250 : 40;
        var caseStudy = mql || nonMqlKind == 0;
        var support = !mql && nonMqlKind == 0;
        var email = $"soak-{i}@example.com";
        var campaign = "soak-" + (i % 4).ToString(CultureInfo.InvariantCulture);
        return source switch
        {
            Generic => new JsonObject
            {
                ["id"] = $"soak-{i}",
                ["email"] = email,
                ["phone"] = "555-123-4567",
                ["industry"] = "SaaS",
                ["companySize"] = size,
                ["campaign"] = campaign,
                ["source"] = "soak",
                ["actions"] = new JsonObject { ["viewedPricingPage"] = true, ["downloadedCaseStudy"] = caseStudy, ["contactedSupport"] = support },
            }.ToJsonString(),
            HubSpot => new JsonObject
            {
                ["vid"] = 1_000_000 + i,
                ["portal-id"] = 62515,
                ["is-contact"] = true,
                ["properties"] = new JsonObject
                {
                    ["email"] = Value(email),
                    ["phone"] = Value("555-123-4567"),
                    ["industry"] = Value("SaaS"),
                    ["numemployees"] = Value(size.ToString(CultureInfo.InvariantCulture)),
                    ["hs_analytics_first_touch_converting_campaign"] = Value(campaign),
                    ["viewed_pricing_page"] = Value("true"),
                    ["downloaded_case_study"] = Value(caseStudy ? "true" : "false"),
                    ["contacted_support"] = Value(support ? "true" : "false"),
                },
            }.ToJsonString(),
            _ => new JsonObject
            {
                ["id"] = $"00Q-soak-{i}",
                ["email"] = email,
                ["phone"] = "555-123-4567",
                ["industry"] = "SaaS",
                ["companySize"] = size.ToString(CultureInfo.InvariantCulture),
                ["campaign"] = campaign,
                ["source"] = "Marketo",
                ["ownerId"] = string.Empty,
                ["viewedPricingPage"] = "true",
                ["downloadedCaseStudy"] = caseStudy ? "true" : string.Empty,
                ["contactedSupport"] = support ? "1" : string.Empty,
            }.ToJsonString(),
        };

        static JsonObject Value(string value) => new() { ["value"] = value };
    }
}
