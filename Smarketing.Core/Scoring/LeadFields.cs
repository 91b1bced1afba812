using System.Globalization;
using Smarketing.Core.Leads;

namespace Smarketing.Core.Scoring;

internal enum FieldKind
{
    /// <summary>A text property of <see cref="LeadProfile"/>.</summary>
    Text,

    /// <summary>A numeric property of <see cref="LeadProfile"/>.</summary>
    Number,

    /// <summary>An entry of <see cref="LeadProfile.Attributes"/>: text, read as a number by numeric operators.</summary>
    Attribute,
}

internal delegate bool NumberReader(LeadProfile lead, out double value);

/// <summary>Maps model field names onto <see cref="LeadProfile"/>, once, at compile time.</summary>
internal static class LeadFields
{
    private static readonly (string Name, FieldKind Kind, Func<LeadProfile, string?>? Text)[] Known =
    [
        ("email", FieldKind.Text, l => l.Email),
        ("phone", FieldKind.Text, l => l.Phone),
        ("industry", FieldKind.Text, l => l.Industry),
        ("companySize", FieldKind.Number, null),
        ("country", FieldKind.Text, l => l.Country),
        ("jobTitle", FieldKind.Text, l => l.JobTitle),
    ];

    public static string KnownNames { get; } = string.Join(", ", Known.Select(k => k.Name));

    /// <summary>
    /// Resolves a field name: the six profile properties match case-insensitively and come back in their
    /// canonical spelling (so "Email" and "email" are one model); anything else is an attribute, kept as written.
    /// </summary>
    public static FieldKind Resolve(string name, out string canonical)
    {
        foreach (var (known, kind, _) in Known)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                canonical = known;
                return kind;
            }
        }

        canonical = name;
        return FieldKind.Attribute;
    }

    public static Func<LeadProfile, string?> TextReader(string canonical)
    {
        foreach (var (known, _, text) in Known)
        {
            if (text is not null && string.Equals(known, canonical, StringComparison.Ordinal))
            {
                return text;
            }
        }

        return lead => lead.Attributes.TryGetValue(canonical, out var value) ? value : null;
    }

    public static NumberReader NumberReader(string canonical)
    {
        if (string.Equals(canonical, "companySize", StringComparison.Ordinal))
        {
            return static (LeadProfile lead, out double value) =>
            {
                if (lead.CompanySize is { } size)
                {
                    value = size;
                    return true;
                }

                value = 0;
                return false;
            };
        }

        return (LeadProfile lead, out double value) =>
        {
            value = 0;
            return lead.Attributes.TryGetValue(canonical, out var text)
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        };
    }

    /// <summary>Whitespace counts as missing: a form that posts <c>" "</c> for a phone has no phone.</summary>
    public static Func<LeadProfile, bool> IsPresent(string canonical)
    {
        if (string.Equals(canonical, "companySize", StringComparison.Ordinal))
        {
            return static lead => lead.CompanySize.HasValue;
        }

        var read = TextReader(canonical);
        return lead => !string.IsNullOrWhiteSpace(read(lead));
    }
}
