using CsCheck;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Xunit;

namespace Smarketing.Tests.Scoring;

public sealed class ScoringPropertyTests
{
    private static readonly Gen<string?> GenText = Gen.OneOfConst<string?>(null, "", " ", "SaaS", "saas", "FinTech", "Retail", "x@y.z", "555-0100");

    private static readonly Gen<ActivitySignal> GenSignal =
        from count in Gen.Int[0, 12]
        from hasTime in Gen.Bool
        from daysAgo in Gen.Double[-2, 400]
        select new ActivitySignal { Count = count, LastOccurredAt = hasTime ? TestLeads.Now.AddDays(-daysAgo) : null };

    private static readonly Gen<LeadProfile> GenLead =
        from email in GenText
        from phone in GenText
        from industry in GenText
        from size in Gen.Int[0, 5000].Nullable()
        from pricing in GenSignal
        from caseStudy in GenSignal
        from support in GenSignal
        from webinar in GenSignal
        select new LeadProfile
        {
            Email = email,
            Phone = phone,
            Industry = industry,
            CompanySize = size,
            Activities = TestLeads.Activities(
                ("viewedPricingPage", pricing),
                ("downloadedCaseStudy", caseStudy),
                ("contactedSupport", support),
                ("attendedWebinar", webinar)),
        };

    private static readonly ScoringModel DecayingModel = ScoringModel.Load(TestModels.Json(
        """
        { "id": "fit", "when": { "field": "industry", "op": "in", "values": ["SaaS", "FinTech"], "ignoreCase": true }, "points": 20 },
        { "id": "pricing", "when": { "activity": "viewedPricingPage", "op": "withinDays", "value": 90 }, "points": 30, "halfLifeDays": 21 },
        { "id": "webinars", "when": { "activity": "attendedWebinar", "op": ">=", "value": 1 }, "points": 7, "perOccurrence": true, "cap": 35, "halfLifeDays": 45 },
        { "id": "support", "when": { "activity": "contactedSupport", "op": "occurred" }, "points": -10 }
        """,
        requiredForMql: """["email", "phone", "industry"]""",
        gates: """{ "id": "contact", "reason": "no email or no phone", "when": { "any": [ { "field": "email", "op": "missing" }, { "field": "phone", "op": "missing" } ] } }"""));

    public static TheoryData<string> Models => new() { "default", "decaying" };

    private static ScoringModel ModelNamed(string name) => name == "default" ? ScoringModel.LoadDefault() : DecayingModel;

    [Theory]
    [MemberData(nameof(Models))]
    public void Score_SameLeadTwice_GivesSameResult(string model)
    {
        var sut = ModelNamed(model);
        GenLead.Sample(lead =>
        {
            var a = sut.Score(lead, TestLeads.Now);
            var b = sut.Score(lead, TestLeads.Now);
            Assert.Equal(a.Score, b.Score);
            Assert.Equal(a.IsMql, b.IsMql);
            Assert.Equal(a.Explanation, b.Explanation);
            Assert.Equal(a.MissingForMql, b.MissingForMql);
        });
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Score_LeadWithoutEmailOrPhone_IsAlwaysZeroAndNotMql(string model)
    {
        var sut = ModelNamed(model);
        var gatedLead =
            from lead in GenLead
            from dropEmail in Gen.Bool
            select dropEmail ? lead with { Email = null } : lead with { Phone = " " };

        gatedLead.Sample(lead =>
        {
            var result = sut.Score(lead, TestLeads.Now);
            Assert.Equal(0, result.Score);
            Assert.False(result.IsMql);
            Assert.Contains(result.Explanation, l => l.IsGate && l.Description == "no email or no phone");
        });
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Score_UngatedLead_EqualsSumOfFiredLinesAndMqlFollowsContract(string model)
    {
        var sut = ModelNamed(model);
        GenLead.Sample(lead =>
        {
            var result = sut.Score(lead, TestLeads.Now);
            if (result.Explanation.Any(l => l.IsGate))
            {
                return;
            }

            Assert.Equal(result.Score, result.Explanation.Where(l => l.Fired).Sum(l => l.Points));
            Assert.All(result.Explanation.Where(l => !l.Fired), l => Assert.Equal(0, l.Points));
            Assert.Equal(result.Score > sut.Threshold && result.MissingForMql.Count == 0, result.IsMql);
        });
    }
}
