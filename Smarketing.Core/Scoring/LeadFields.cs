using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
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

/// <summary>
/// Maps model field and activity names onto <see cref="LeadProfile"/>: expressions for the compiler, and the
/// few runtime helpers those expressions call.
/// </summary>
internal static class LeadFields
{
    private const string CompanySize = "companySize";

    private static readonly (string Name, FieldKind Kind, string Property)[] Known =
    [
        ("email", FieldKind.Text, nameof(LeadProfile.Email)),
        ("phone", FieldKind.Text, nameof(LeadProfile.Phone)),
        ("industry", FieldKind.Text, nameof(LeadProfile.Industry)),
        (CompanySize, FieldKind.Number, nameof(LeadProfile.CompanySize)),
        ("country", FieldKind.Text, nameof(LeadProfile.Country)),
        ("jobTitle", FieldKind.Text, nameof(LeadProfile.JobTitle)),
    ];

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

    /// <summary>The text of a text field or attribute (null when absent), as an expression over <paramref name="lead"/>.</summary>
    public static Expression ReadText(Expression lead, string canonical)
    {
        foreach (var (known, kind, property) in Known)
        {
            if (kind == FieldKind.Text && string.Equals(known, canonical, StringComparison.Ordinal))
            {
                return Expression.Property(lead, property);
            }
        }

        return Expression.Call(Method(nameof(Attribute)), lead, Expression.Constant(canonical));
    }

    /// <summary>
    /// True when the lead has the field. Whitespace counts as missing: a form that posts <c>" "</c> for a
    /// phone has no phone.
    /// </summary>
    public static Expression IsPresent(Expression lead, string canonical) =>
        string.Equals(canonical, CompanySize, StringComparison.Ordinal)
            ? Expression.Property(Expression.Property(lead, nameof(LeadProfile.CompanySize)), nameof(Nullable<int>.HasValue))
            : Expression.Call(Method(nameof(HasText)), ReadText(lead, canonical));

    /// <summary>
    /// Applies <paramref name="test"/> to the field's number; a lead without the number (or with an attribute
    /// that is not one) fails every test, '!=' included: unknown is not "different".
    /// </summary>
    public static Expression TestNumber(Expression lead, string canonical, Func<Expression, Expression> test)
    {
        if (string.Equals(canonical, CompanySize, StringComparison.Ordinal))
        {
            var size = Expression.Variable(typeof(int?), "companySize");
            return Expression.Block(
                [size],
                Expression.Assign(size, Expression.Property(lead, nameof(LeadProfile.CompanySize))),
                Expression.AndAlso(
                    Expression.Property(size, nameof(Nullable<int>.HasValue)),
                    test(Expression.Convert(Expression.Call(size, nameof(Nullable<int>.GetValueOrDefault), Type.EmptyTypes), typeof(double)))));
        }

        var value = Expression.Variable(typeof(double), "value");
        return Expression.Block(
            [value],
            Expression.AndAlso(
                Expression.Call(Method(nameof(TryReadNumber)), lead, Expression.Constant(canonical), value),
                test(value)));
    }

    /// <summary>The lead's signal for an activity, as an expression; an activity the lead lacks did not happen.</summary>
    public static Expression ReadSignal(Expression lead, string activity) =>
        Expression.Call(Method(nameof(Signal)), lead, Expression.Constant(activity));

    // Decides on the first character in the usual case, so it inlines where string.IsNullOrWhiteSpace (a loop) does not.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool HasText(string? value) =>
        value is { Length: > 0 } && (!char.IsWhiteSpace(value[0]) || !string.IsNullOrWhiteSpace(value));

    internal static string? Attribute(LeadProfile lead, string name) =>
        lead.Attributes.TryGetValue(name, out var value) ? value : null;

    internal static bool TryReadNumber(LeadProfile lead, string name, out double value)
    {
        value = 0;
        return lead.Attributes.TryGetValue(name, out var text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    // Kept out of the compiled model: as an ordinary method it gets tiered, profile-guided compilation, which
    // turns the interface call into an inlined Dictionary lookup; inlined into the model it stays an interface call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ActivitySignal Signal(LeadProfile lead, string activity) =>
        lead.Activities.TryGetValue(activity, out var signal) && signal is not null ? signal : ActivitySignal.None;

    private static MethodInfo Method(string name) =>
        typeof(LeadFields).GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic)!;
}
