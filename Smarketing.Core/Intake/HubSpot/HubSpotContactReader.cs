using System.Text.Json;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Intake.HubSpot;

/// <summary>
/// One forward pass over a HubSpot webhook body that keeps only the mapped properties. A contact body carries every
/// property with its version history and runs to hundreds of KB; the properties nobody mapped and every
/// <c>versions</c> array are skipped by the reader, never built into a document. The depth limit applies to the
/// skipped parts too, since the reader walks them.
/// </summary>
internal static class HubSpotContactReader
{
    // A contact payload names its id outside the properties, under one of these.
    private static readonly string[] IdNames = ["vid", "canonical-vid", "objectId", "id"];

    private const string ObjectIdProperty = "hs_object_id";

    /// <summary>The mapped properties' values (a <c>{"value": ...}</c> object unwrapped), or null with the reason under <c>$</c>.</summary>
    public static Dictionary<string, JsonElement>? Pick(ReadOnlySpan<byte> body, IReadOnlySet<string> wanted, FieldErrors errors)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = LeadSubmissionParser.MaxDepth });
        var flat = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        var ids = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        Dictionary<string, JsonElement>? nested = null;
        try
        {
            if (!reader.Read())
            {
                throw new JsonException("The input does not contain any JSON tokens.");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                Finish(ref reader);
                errors.Add("$", "The body must be a JSON object.");
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (name == "properties" && reader.TokenType == JsonTokenType.StartObject)
                {
                    nested = ReadProperties(ref reader, wanted);
                }
                else if (wanted.Contains(name) || IdNames.Contains(name, StringComparer.Ordinal))
                {
                    var value = ReadValue(ref reader);
                    if (wanted.Contains(name))
                    {
                        flat[name] = value;
                    }

                    if (IdNames.Contains(name, StringComparer.Ordinal))
                    {
                        ids[name] = value;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            Finish(ref reader);
            var values = nested ?? flat;
            if (nested is not null && wanted.Contains(ObjectIdProperty) && !nested.ContainsKey(ObjectIdProperty))
            {
                foreach (var idName in IdNames)
                {
                    if (ids.TryGetValue(idName, out var id))
                    {
                        nested[ObjectIdProperty] = id;
                        break;
                    }
                }
            }

            foreach (var value in values.Values)
            {
                CheckStrings(value);
            }

            return values;
        }
        catch (JsonException ex)
        {
            errors.Add("$", $"The body is not valid JSON: {SensitiveText.Echo(ex.Message)}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // JSON allows "\ud800", but no .NET string can hold it.
            errors.Add("$", "The body has a string or property name with an invalid \\u escape (a lone surrogate).");
            return null;
        }
    }

    /// <summary>The contact's object id (<c>hs_object_id</c>, else the id outside the properties), or null.</summary>
    public static string? ObjectId(ReadOnlySpan<byte> body)
    {
        var values = Pick(body, new HashSet<string>([ObjectIdProperty], StringComparer.OrdinalIgnoreCase), new FieldErrors());
        return values is not null && values.TryGetValue(ObjectIdProperty, out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? (id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText())
            : null;
    }

    private static Dictionary<string, JsonElement> ReadProperties(ref Utf8JsonReader reader, IReadOnlySet<string> wanted)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (wanted.Contains(name))
            {
                values[name] = ReadValue(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return values;
    }

    // A property is {"value": ..., "versions": [...]} or a plain value; an object without "value" is kept whole.
    private static JsonElement ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return JsonElement.ParseValue(ref reader);
        }

        var start = reader;
        JsonElement? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isValue = reader.ValueTextEquals("value"u8);
            reader.Read();
            if (isValue)
            {
                value = JsonElement.ParseValue(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        if (value is { } found)
        {
            return found;
        }

        reader = start;
        return JsonElement.ParseValue(ref reader);
    }

    // Anything after the root value is an error the reader raises on the next read.
    private static void Finish(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException($"'{reader.TokenType}' is invalid after a single JSON value.");
        }
    }

    private static void CheckStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    CheckStrings(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CheckStrings(item);
                }

                break;
        }
    }
}
