using System.Collections.Frozen;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Feedback;

/// <summary>What a CRM status value means in the lifecycle contract: a status and, optionally, the reason it implies.</summary>
public sealed record CrmStatusMapping
{
    /// <summary>The lifecycle status the CRM value stands for.</summary>
    public required LeadStatus Status { get; init; }

    /// <summary>The reason code the value implies when the CRM sends none (e.g. HubSpot's <c>BAD_TIMING</c> lead status).</summary>
    public string? DefaultReasonCode { get; init; }
}

/// <summary>
/// Translates the values a CRM stores (picklist entries such as <c>Closed - Not Converted</c>, HubSpot lead statuses
/// such as <c>UNQUALIFIED</c>) into lifecycle statuses and reason codes. Configured as one string per map,
/// <c>value=STATUS[:REASON];value=STATUS</c> for statuses and <c>value=CODE;value=CODE</c> for reasons, so that
/// values with spaces survive environment variables. A value that is already a lifecycle status or a reason code
/// needs no entry.
/// </summary>
public sealed class CrmValueMap
{
    private readonly FrozenDictionary<string, CrmStatusMapping> _statuses;
    private readonly FrozenDictionary<string, string> _reasons;

    private CrmValueMap(Dictionary<string, CrmStatusMapping> statuses, Dictionary<string, string> reasons)
    {
        _statuses = statuses.ToFrozenDictionary(StringComparer.Ordinal);
        _reasons = reasons.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>A map with no entries: only lifecycle statuses and reason codes are understood.</summary>
    public static CrmValueMap Identity { get; } = new([], []);

    /// <summary>
    /// Parses the two map strings. Every problem is added to <paramref name="errors"/> as a sentence naming
    /// <paramref name="settingPrefix"/>; the map is usable only when none was added.
    /// </summary>
    public static CrmValueMap Parse(string? statusMap, string? reasonMap, string settingPrefix, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var statuses = new Dictionary<string, CrmStatusMapping>(StringComparer.Ordinal);
        foreach (var (value, target) in Entries(statusMap, settingPrefix + ":StatusMap", errors))
        {
            var colon = target.IndexOf(':', StringComparison.Ordinal);
            var statusText = colon < 0 ? target : target[..colon].Trim();
            var reason = colon < 0 ? null : target[(colon + 1)..].Trim();
            if (!LeadStatusNames.TryParse(statusText, out var status))
            {
                errors.Add($"Setting {settingPrefix}:StatusMap maps '{value}' to '{statusText}', which is not one of {string.Join(", ", LeadStatusNames.All)}.");
                continue;
            }

            if (reason is { Length: 0 })
            {
                reason = null;
            }

            if (!statuses.TryAdd(value, new CrmStatusMapping { Status = status, DefaultReasonCode = reason }))
            {
                errors.Add($"Setting {settingPrefix}:StatusMap maps '{value}' more than once.");
            }
        }

        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (value, code) in Entries(reasonMap, settingPrefix + ":ReasonMap", errors))
        {
            if (!reasons.TryAdd(value, code))
            {
                errors.Add($"Setting {settingPrefix}:ReasonMap maps '{value}' more than once.");
            }
        }

        return new CrmValueMap(statuses, reasons);
    }

    /// <summary>The reason codes the map refers to, with the status each is used for (null: any reason list).</summary>
    public IEnumerable<(string Code, LeadStatus? For)> ReferencedReasonCodes =>
        _statuses.Values.Where(m => m.DefaultReasonCode is not null).Select(m => (m.DefaultReasonCode!, (LeadStatus?)m.Status))
            .Concat(_reasons.Values.Select(code => (code, (LeadStatus?)null)));

    /// <summary>Translates a CRM status value; a lifecycle status spelled as the contract spells it maps to itself.</summary>
    public bool TryMapStatus(string value, out CrmStatusMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_statuses.TryGetValue(value, out mapping!))
        {
            return true;
        }

        if (LeadStatusNames.TryParse(value, out var status))
        {
            mapping = new CrmStatusMapping { Status = status };
            return true;
        }

        mapping = null!;
        return false;
    }

    /// <summary>Translates a CRM reason value; a value without an entry is taken as a reason code as it is.</summary>
    public string MapReason(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return _reasons.TryGetValue(value, out var code) ? code : value;
    }

    /// <summary>A sentence listing what a status value may be, for a caller who sent an unknown one.</summary>
    public string DescribeStatusValues() => _statuses.Count == 0
        ? $"one of {string.Join(", ", LeadStatusNames.All)}"
        : $"one of {string.Join(", ", LeadStatusNames.All)} or a mapped CRM value ({string.Join(", ", _statuses.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"))})";

    private static IEnumerable<(string Value, string Target)> Entries(string? map, string setting, ICollection<string> errors)
    {
        if (string.IsNullOrWhiteSpace(map))
        {
            yield break;
        }

        foreach (var raw in map.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.LastIndexOf('=');
            if (eq <= 0 || eq == raw.Length - 1)
            {
                errors.Add($"Setting {setting} has the entry '{raw}'; write entries as value=TARGET separated by ';'.");
                continue;
            }

            yield return (raw[..eq].Trim(), raw[(eq + 1)..].Trim());
        }
    }
}
