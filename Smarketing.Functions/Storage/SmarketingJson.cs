using System.Text.Json;

namespace Smarketing.Functions.Storage;

/// <summary>The JSON settings of every body, message and stored document: camelCase, enums by their wire names.</summary>
public static class SmarketingJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
