using System.Text.Json;
using System.Text.Json.Serialization;

namespace Smarketing.Core.Leads;

/// <summary>
/// Reads and writes <see cref="LeadStatus"/> exactly as the contract spells it, and nothing else. The stock
/// enum converter also reads integers (<c>3</c>, <c>"42"</c>) and flag lists (<c>"NEW, MQL"</c>), which let a
/// webhook body put a status the contract does not have into the lifecycle.
/// </summary>
public sealed class LeadStatusJsonConverter : JsonConverter<LeadStatus>
{
    /// <inheritdoc />
    public override LeadStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? Parse(reader.GetString())
            : throw new JsonException($"A lead status is a JSON string, one of {string.Join(", ", LeadStatusNames.All)}; got a JSON {reader.TokenType}.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, LeadStatus value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToWire());
    }

    /// <inheritdoc />
    public override LeadStatus ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Parse(reader.GetString());

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, LeadStatus value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value.ToWire());
    }

    private static LeadStatus Parse(string? value) => LeadStatusNames.TryParse(value, out var status)
        ? status
        : throw new JsonException($"'{value}' is not a lead status; expected one of {string.Join(", ", LeadStatusNames.All)}.");
}
