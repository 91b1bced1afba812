using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Contracts;

/// <summary>
/// Reads and validates a generic lead webhook body. Every bad field is reported, not just the first,
/// so a sender can fix a payload in one round.
/// </summary>
public static class LeadSubmissionParser
{
    /// <summary>The deepest JSON nesting a lead body may have.</summary>
    public const int MaxDepth = 16;

    private const int MaxTextLength = 256;
    private const int MaxActions = 200;
    private const int MaxCompanySize = 10_000_000;

    /// <summary>Parses <paramref name="body"/>; returns null with <paramref name="errors"/> filled when it is invalid.</summary>
    public static LeadSubmission? TryParse(ReadOnlyMemory<byte> body, LeadIds ids, out FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(ids);
        errors = new FieldErrors();
        if (!JsonObjectBody.TryParse(body, errors, out var document))
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            var id = Id(root, "id", errors);
            var email = Text(root, "email", MaxTextLength, errors);
            if (email is null && !errors.Fields.Contains("email"))
            {
                errors.Add("email", "The lead's e-mail address is required.");
            }
            else if (email is not null && !LeadIds.IsEmailAddress(email))
            {
                errors.Add("email", "Must be an e-mail address such as name@example.com.");
            }

            var phone = Text(root, "phone", 40, errors);
            var industry = Text(root, "industry", MaxTextLength, errors);
            var country = Text(root, "country", MaxTextLength, errors);
            var jobTitle = Text(root, "jobTitle", MaxTextLength, errors);
            var crmId = Id(root, "crmId", errors);
            var ownerId = Id(root, "ownerId", errors);
            var campaign = Text(root, "campaign", MaxTextLength, errors);
            var source = Text(root, "source", MaxTextLength, errors);
            var trigger = Text(root, "triggerAction", MaxTextLength, errors);
            var companySize = CompanySize(root, errors);
            var activities = Actions(root, errors);
            var attributes = Attributes(root, errors);

            if (!errors.IsEmpty)
            {
                return null;
            }

            return new LeadSubmission
            {
                // An address never becomes a table key, log field, CSV cell or CRM value as an id.
                LeadId = Identifiers.NormalizeLeadId(ids.For(id, email!)),
                LegacyLeadIds = ids.LegacyFor(id, email),
                CrmId = crmId,
                OwnerId = ownerId,
                Campaign = campaign,
                Source = source,
                TriggerAction = trigger,
                ContentHash = Convert.ToHexStringLower(SHA256.HashData(body.Span)),
                Profile = new LeadProfile
                {
                    Email = email,
                    Phone = phone,
                    Industry = industry,
                    CompanySize = companySize,
                    Country = country,
                    JobTitle = jobTitle,
                    Activities = activities,
                    Attributes = attributes,
                },
            };
        }
    }

    private static string? Id(JsonElement root, string name, FieldErrors errors)
    {
        var id = Text(root, name, Identifiers.MaxLength, errors);
        if (id is not null && Identifiers.Problem(id) is { } problem)
        {
            errors.Add(name, problem);
            return null;
        }

        return id;
    }

    private static string? Text(JsonElement root, string name, int maxLength, FieldErrors errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(name, $"Must be a string, not {Kind(value)}.");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (text.Length > maxLength)
        {
            errors.Add(name, $"Must be at most {maxLength} characters.");
            return null;
        }

        if (text.Any(char.IsControl))
        {
            errors.Add(name, "Must not contain control characters.");
            return null;
        }

        return text;
    }

    private static int? CompanySize(JsonElement root, FieldErrors errors)
    {
        if (!root.TryGetProperty("companySize", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var size) && size is >= 0 and <= MaxCompanySize)
        {
            return size;
        }

        errors.Add("companySize", $"Must be a whole number from 0 to {MaxCompanySize}.");
        return null;
    }

    private static Dictionary<string, ActivitySignal> Actions(JsonElement root, FieldErrors errors)
    {
        var result = new Dictionary<string, ActivitySignal>(StringComparer.OrdinalIgnoreCase);
        if (!root.TryGetProperty("actions", out var actions) || actions.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (actions.ValueKind != JsonValueKind.Object)
        {
            errors.Add("actions", "Must be an object of activity name to true/false, a count, or {\"count\": n, \"lastAt\": \"ISO-8601 time\"}.");
            return result;
        }

        foreach (var action in actions.EnumerateObject())
        {
            var path = "actions." + action.Name;
            if (result.Count >= MaxActions)
            {
                errors.Add("actions", $"At most {MaxActions} activities are accepted.");
                break;
            }

            if (action.Name.Length is 0 or > 100)
            {
                errors.Add(path, "An activity name must be 1 to 100 characters.");
                continue;
            }

            var signal = Signal(action.Value, path, errors);
            if (signal is not null && !result.TryAdd(action.Name, signal))
            {
                errors.Add(path, "The activity is given twice.");
            }
        }

        return result;
    }

    private static ActivitySignal? Signal(JsonElement value, string path, FieldErrors errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return ActivitySignal.FromFlag(true);
            case JsonValueKind.False:
            case JsonValueKind.Null:
                return ActivitySignal.None;
            case JsonValueKind.Number when value.TryGetInt32(out var count) && count >= 0:
                return new ActivitySignal { Count = count };
            case JsonValueKind.Object:
                int? n = null;
                DateTimeOffset? at = null;
                if (value.TryGetProperty("count", out var c))
                {
                    if (c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var parsed) && parsed >= 0)
                    {
                        n = parsed;
                    }
                    else
                    {
                        errors.Add(path + ".count", "Must be a whole number of 0 or more.");
                        return null;
                    }
                }

                if (value.TryGetProperty("lastAt", out var last) && last.ValueKind != JsonValueKind.Null)
                {
                    if (last.ValueKind == JsonValueKind.String &&
                        DateTimeOffset.TryParse(last.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsedAt))
                    {
                        at = parsedAt;
                    }
                    else
                    {
                        errors.Add(path + ".lastAt", "Must be an ISO-8601 date and time.");
                        return null;
                    }
                }

                return new ActivitySignal { Count = n ?? (at is null ? 0 : 1), LastOccurredAt = at };
            default:
                errors.Add(path, $"Must be true/false, a count, or an object with count and lastAt, not {Kind(value)}.");
                return null;
        }
    }

    private static Dictionary<string, string> Attributes(JsonElement root, FieldErrors errors)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!root.TryGetProperty("attributes", out var attributes) || attributes.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (attributes.ValueKind != JsonValueKind.Object)
        {
            errors.Add("attributes", "Must be an object of field name to string, number or boolean.");
            return result;
        }

        foreach (var attribute in attributes.EnumerateObject())
        {
            var text = attribute.Value.ValueKind switch
            {
                JsonValueKind.String => attribute.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => attribute.Value.GetRawText(),
                JsonValueKind.Null => null,
                _ => "\0",
            };
            if (text == "\0" || text?.Length > MaxTextLength)
            {
                errors.Add("attributes." + attribute.Name, $"Must be a string of at most {MaxTextLength} characters, a number or a boolean.");
            }
            else if (text is not null)
            {
                result[attribute.Name] = text;
            }
        }

        return result;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.String => "a string",
        _ => "null",
    };
}
