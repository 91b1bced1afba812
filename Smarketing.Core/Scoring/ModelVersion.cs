using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Smarketing.Core.Scoring;

/// <summary>
/// The model's content hash. It hashes a canonical rendering of the parsed definition, not the file's text:
/// every property in a fixed order, defaults spelled out, known field names in their canonical spelling,
/// numbers in shortest round-trip form. So reformatting, reordering properties or adding comments keeps
/// the version, and any change that can change a score or its explanation changes it.
/// </summary>
internal static class ModelVersion
{
    private const string Prefix = "sha256:";
    private const int HexLength = 16;

    public static string Compute(ModelDefinition model)
    {
        var canonical = Canonicalize(model);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(canonical, hash);
        return Prefix + Convert.ToHexStringLower(hash)[..HexLength];
    }

    internal static byte[] Canonicalize(ModelDefinition model)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", model.Name);
            WriteOptional(w, "description", model.Description);
            w.WriteNumber("threshold", model.Threshold);
            w.WriteStartArray("requiredForMql");
            foreach (var field in model.RequiredForMql)
            {
                w.WriteStringValue(field);
            }

            w.WriteEndArray();
            w.WriteStartArray("rules");
            foreach (var rule in model.Rules)
            {
                w.WriteStartObject();
                w.WriteString("id", rule.Id);
                WriteOptional(w, "description", rule.Description);
                w.WritePropertyName("when");
                rule.When.WriteCanonical(w);
                w.WriteNumber("points", rule.Points);
                w.WriteBoolean("perOccurrence", rule.PerOccurrence);
                WriteOptional(w, "cap", rule.Cap);
                WriteOptional(w, "halfLifeDays", rule.HalfLifeDays);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("gates");
            foreach (var gate in model.Gates)
            {
                w.WriteStartObject();
                w.WriteString("id", gate.Id);
                w.WriteString("reason", gate.Reason);
                w.WritePropertyName("when");
                gate.When.WriteCanonical(w);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }
}
