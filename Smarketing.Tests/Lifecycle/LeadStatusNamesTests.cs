using System.Text.Json;
using Smarketing.Core.Leads;
using Xunit;

namespace Smarketing.Tests.Lifecycle;

public sealed class LeadStatusNamesTests
{
    private static readonly string[] ContractSpellings = ["NEW", "MQL", "SAL", "SQL", "CLOSED_WON", "CLOSED_LOST", "DISQUALIFIED"];

    public static TheoryData<LeadStatus, string> WireNames() => new()
    {
        { LeadStatus.New, "NEW" },
        { LeadStatus.Mql, "MQL" },
        { LeadStatus.Sal, "SAL" },
        { LeadStatus.Sql, "SQL" },
        { LeadStatus.ClosedWon, "CLOSED_WON" },
        { LeadStatus.ClosedLost, "CLOSED_LOST" },
        { LeadStatus.Disqualified, "DISQUALIFIED" },
    };

    [Fact]
    public void All_Always_IsTheContractSpellingOfEveryStatusInOrder()
    {
        Assert.Equal(ContractSpellings, LeadStatusNames.All);
        Assert.Equal(ContractSpellings, Enum.GetValues<LeadStatus>().Select(s => s.ToWire()));
    }

    [Fact]
    public void All_CastBackToAnArray_CannotBeChanged()
    {
        Assert.False(LeadStatusNames.All is string[]);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)LeadStatusNames.All)[0] = "OLD");
        Assert.Equal("NEW", LeadStatus.New.ToWire());
    }

    [Theory]
    [MemberData(nameof(WireNames))]
    public void Serialize_EachStatus_WritesTheContractSpelling(LeadStatus status, string wire)
    {
        Assert.Equal($"\"{wire}\"", JsonSerializer.Serialize(status));
        Assert.Equal(wire, status.ToWire());
    }

    [Theory]
    [MemberData(nameof(WireNames))]
    public void Deserialize_ContractSpelling_RoundTrips(LeadStatus status, string wire)
    {
        Assert.Equal(status, JsonSerializer.Deserialize<LeadStatus>($"\"{wire}\""));
        Assert.Equal(status, JsonSerializer.Deserialize<LeadStatus>(JsonSerializer.Serialize(status)));
    }

    [Fact]
    public void Serialize_StatusInARecord_WritesTheContractSpelling()
    {
        var entry = new LifecycleEntry { From = LeadStatus.Sql, To = LeadStatus.ClosedWon, At = DateTimeOffset.UnixEpoch, Actor = "crm:1" };

        var json = JsonSerializer.Serialize(entry);

        Assert.Contains("\"From\":\"SQL\",\"To\":\"CLOSED_WON\"", json, StringComparison.Ordinal);
        Assert.Equal(entry, JsonSerializer.Deserialize<LifecycleEntry>(json));
    }

    [Theory]
    [InlineData("\"mql\"")]
    [InlineData("\"Mql\"")]
    [InlineData("\"Closed_Won\"")]
    [InlineData("\"ClosedWon\"")]
    [InlineData("\"NEW, MQL\"")]
    [InlineData("\"\"")]
    [InlineData("\"3\"")]
    [InlineData("\"42\"")]
    [InlineData("3")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    public void Deserialize_AnythingButTheContractSpelling_ThrowsNamingTheSpellings(string json)
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<LeadStatus>(json));

        Assert.Contains(string.Join(", ", ContractSpellings), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_IntegerStatusInARecord_ThrowsRatherThanInventingAStatus()
    {
        const string json = """{"To":42,"Actor":"crm:1"}""";

        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TransitionRequest>(json));

        Assert.Equal("$.To", ex.Path);
    }

    [Fact]
    public void Deserialize_NullableStatus_ReadsNullAndTheContractSpelling()
    {
        Assert.Null(JsonSerializer.Deserialize<LeadStatus?>("null"));
        Assert.Equal(LeadStatus.ClosedLost, JsonSerializer.Deserialize<LeadStatus?>("\"CLOSED_LOST\""));
    }

    [Fact]
    public void Serialize_StatusAsDictionaryKey_WritesAndReadsTheContractSpelling()
    {
        var counts = new Dictionary<LeadStatus, int> { [LeadStatus.ClosedWon] = 3, [LeadStatus.Disqualified] = 5 };

        var json = JsonSerializer.Serialize(counts);

        Assert.Equal("""{"CLOSED_WON":3,"DISQUALIFIED":5}""", json);
        Assert.Equal(counts, JsonSerializer.Deserialize<Dictionary<LeadStatus, int>>(json));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Dictionary<LeadStatus, int>>("""{"closed_won":3}"""));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(7)]
    [InlineData(42)]
    public void ToWire_ValueThatIsNoStatus_ThrowsArgumentOutOfRange(int value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((LeadStatus)value).ToWire());
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonSerializer.Serialize((LeadStatus)value));
    }

    [Theory]
    [MemberData(nameof(WireNames))]
    public void TryParse_ContractSpelling_ReturnsTheStatus(LeadStatus status, string wire)
    {
        Assert.True(LeadStatusNames.TryParse(wire, out var parsed));
        Assert.Equal(status, parsed);
    }

    [Theory]
    [InlineData("mql")]
    [InlineData("Mql")]
    [InlineData("Closed_Won")]
    [InlineData("ClosedWon")]
    [InlineData("CLOSED WON")]
    [InlineData(" NEW")]
    [InlineData("NEW ")]
    [InlineData("NEW, MQL")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_AnythingButTheContractSpelling_ReturnsFalse(string? value)
    {
        Assert.False(LeadStatusNames.TryParse(value, out _));
    }
}
