using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

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
            errors.Add("$", $"The body is not valid JSON: {ex.Message}");
            document = null;
            return false;
        }

        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        document.Dispose();
        document = null;
        errors.Add("$", $"The body must be {expected}.");
        return false;
    }
}
