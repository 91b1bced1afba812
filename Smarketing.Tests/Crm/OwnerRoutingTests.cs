using Smarketing.Core.Handoff;
using Xunit;

namespace Smarketing.Tests.Crm;

public sealed class OwnerRoutingTests
{
    private static readonly Territory Dach = new() { Name = "DACH", Countries = ["DE", "AT", "CH"], Reps = ["rep-hans", "rep-greta"] };
    private static readonly Territory FinTech = new() { Name = "FinTech", Industries = ["FinTech"], Reps = ["rep-fin"] };
    private static readonly Territory DachSaas = new() { Name = "DACH SaaS", Countries = ["DE"], Industries = ["SaaS"], Reps = ["rep-dach-saas"] };

    private static OwnerRouting CreateSut(IReadOnlyCollection<string>? inactive = null, params Territory[] territories) =>
        new(["rep-ada", "rep-grace", "rep-linus"], inactive ?? [], territories);

    private static OwnerAssignmentRequest Lead(string? country = null, string? industry = null) =>
        new() { LeadId = "lead-1", Country = country, Industry = industry };

    [Theory]
    [InlineData("DE", "Retail", "DACH")]
    [InlineData("ch", null, "DACH")]
    [InlineData(" AT ", "SaaS", "DACH")]
    [InlineData("US", "fintech", "FinTech")]
    [InlineData(null, "FinTech", "FinTech")]
    [InlineData("US", "SaaS", RepPool.DefaultName)]
    [InlineData(null, null, RepPool.DefaultName)]
    public void Select_TerritoriesInOrder_FirstMatchingOneElseDefault(string? country, string? industry, string expected)
    {
        var sut = CreateSut(null, Dach, FinTech);

        Assert.Equal(expected, sut.Select(Lead(country, industry)).Name);
    }

    [Fact]
    public void Select_TerritoryWithBothCriteria_NeedsBoth()
    {
        var sut = CreateSut(null, DachSaas);

        Assert.Equal("DACH SaaS", sut.Select(Lead("DE", "SaaS")).Name);
        Assert.Equal(RepPool.DefaultName, sut.Select(Lead("DE", "Retail")).Name);
        Assert.Equal(RepPool.DefaultName, sut.Select(Lead("US", "SaaS")).Name);
    }

    [Fact]
    public void Select_InactiveReps_LeftOutOfEveryPool()
    {
        var sut = CreateSut(["rep-grace", "rep-greta"], Dach);

        Assert.Equal(["rep-ada", "rep-linus"], sut.Select(Lead()).Reps);
        Assert.Equal(["rep-hans"], sut.Select(Lead("DE")).Reps);
    }

    [Fact]
    public void Select_TerritoryWhoseRepsAreAllInactive_FallsThroughToTheNextRule()
    {
        var sut = CreateSut(["rep-fin"], FinTech);

        var pool = sut.Select(Lead("US", "FinTech"));

        Assert.Equal(RepPool.DefaultName, pool.Name);
    }

    [Fact]
    public void Create_EveryDefaultRepInactive_Refused()
    {
        Assert.Throws<ArgumentException>(() => CreateSut(["rep-ada", "rep-grace", "rep-linus"]));
    }

    [Fact]
    public void Matches_TerritoryWithoutCriteria_MatchesNothing()
    {
        var empty = new Territory { Name = "empty", Reps = ["rep-x"] };

        Assert.False(empty.Matches(Lead("DE", "SaaS")));
    }
}
