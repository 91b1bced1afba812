using Smarketing.Functions.LeadImports;
using Xunit;

namespace Smarketing.Tests.Imports;

/// <summary>A bad import setting stops the app at start with a message naming the setting.</summary>
public sealed class ImportOptionsValidationTests
{
    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.05")]
    [InlineData("02:00:00")]
    public void Validate_BulkPollIntervalOutOfRange_FailureNamesTheSetting(string interval)
    {
        var result = new ImportOptionsValidator().Validate(null, new ImportOptions { BulkPollInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.Contains("Imports:BulkPollInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new ImportOptionsValidator().Validate(null, new ImportOptions());

        Assert.True(result.Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(10), new ImportOptions().BulkPollInterval);
    }
}
