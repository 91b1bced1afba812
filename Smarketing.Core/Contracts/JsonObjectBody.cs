using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Smarketing.Core.Handoff;

namespace Smarketing.Core.Contracts;

/// <summary>The first step of reading every JSON request body: it must parse, within a depth limit, to an object.</summary>
public static class JsonObjectBody
{
    /// <summary>
    /// Parses <paramref name="body"/>; on failure adds the reason under <c>$</c> to <paramref name="errors"/> and returns
    /// false. On success the caller owns (and disposes) <paramref name="document"/>, whose root is an object.
    /// </summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> body,
        FieldErrors errors,
        [NotNullWhen(true)] out JsonDocument? document,
        int maxDepth = LeadSubmissionParser.MaxDepth,
        string expected = "a JSON object")
    {
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException ex)
        {
            errors.Add("$", $"The body is not valid JSON: {SensitiveText.Echo(ex.Message)}");
            document = null;
            return false;
        }

        var problem = document.RootElement.ValueKind != JsonValueKind.Object
            ? $"The body must be {expected}."
            : !StringsAreValid(document.RootElement)
                ? "The body has a string or property name with an invalid \\u escape (a lone surrogate)."
                : null;
        if (problem is null)
        {
            return true;
        }

        document.Dispose();
        document = null;
        errors.Add("$", problem);
        return false;
    }

    // JSON allows "\ud800", but no .NET string can hold it: reading it later would throw, so it is refused up front.
    private static bool StringsAreValid(JsonElement element)
    {
        try
        {
            Visit(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Visit(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    break;
                case JsonValueKind.Object:
                    foreach (var property in e.EnumerateObject())
                    {
                        _ = property.Name;
                        Visit(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        Visit(item);
                    }

                    break;
            }
        }
    }
}
