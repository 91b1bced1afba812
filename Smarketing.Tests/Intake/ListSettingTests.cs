using Smarketing.Core.Contracts;
using Xunit;

namespace Smarketing.Tests.Intake;

/// <summary>The one reading of every list setting (secrets, reps, territories, org ids, protected stages).</summary>
public sealed class ListSettingTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" , ,, ")]
    public void Parse_NothingButSeparatorsOrBlank_Empty(string? value) => Assert.Empty(ListSetting.Parse(value));

    [Fact]
    public void Parse_CommaList_TrimmedInOrderEmptyItemsDropped() =>
        Assert.Equal(["rep-a", "rep-b", "rep-c"], ListSetting.Parse(" rep-a,rep-b , ,rep-c,"));

    [Fact]
    public void Parse_ItemWithSpaces_KeptWhole() =>
        Assert.Equal(["Financial Services", "SaaS"], ListSetting.Parse("Financial Services, SaaS"));

    [Fact]
    public void Parse_SemicolonsAndSpacesInsideAnItem_NotSeparators() =>
        Assert.Equal(["a;b c"], ListSetting.Parse("a;b c"));
}
