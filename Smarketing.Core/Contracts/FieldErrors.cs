using Smarketing.Core.Handoff;

namespace Smarketing.Core.Contracts;

/// <summary>Validation errors by field path (JSON-pointer-like, e.g. <c>actions.viewedPricingPage</c>), as RFC 7807 <c>errors</c>.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>True when no field is in error.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>The field paths in error.</summary>
    public IEnumerable<string> Fields => _errors.Keys;

    /// <summary>
    /// Adds an error for <paramref name="field"/>. A path may hold a name the caller sent (an activity, a property), so it
    /// is kept as <see cref="SensitiveText.Echo"/> makes it: one line, at most 200 characters.
    /// </summary>
    public void Add(string field, string message)
    {
        field = SensitiveText.Echo(field);
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    /// <summary>The errors in the shape of RFC 7807 validation problem details.</summary>
    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>One line listing every field in error.</summary>
    public override string ToString() =>
        string.Join("; ", _errors.Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}"));
}
