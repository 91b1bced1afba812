namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// A test of one demographic field, <c>{ "field": F, "op": …, … }</c>; each operator is a kind of its own.
/// <see cref="Field"/> is the canonical spelling (see <see cref="LeadFields.Resolve"/>).
/// </summary>
internal abstract record FieldCondition(string Field) : Condition
{
    public static ConditionShape Shape { get; } = new(
        "field",
        ["field", "op", "value", "values", "min", "max", "ignoreCase"],
        field =>
        {
            LeadFields.Resolve(field, out var canonical);
            return canonical;
        },
        (field, op) => $"'{op}' applies to an activity, not a field; write {{ \"activity\": \"{field}\", \"op\": \"{op}\" }} if '{field}' is an activity");

    /// <summary>False, with the problem reported, when the operator compares text and the field is a number.</summary>
    protected static bool IsTextField(ConditionJson json)
    {
        if (LeadFields.Resolve(json.Subject, out var canonical) != FieldKind.Number)
        {
            return true;
        }

        json.Properties.Problem("op", $"'{json.Operator}' compares text and '{canonical}' is a number; use '==' or 'between'");
        return false;
    }

    /// <summary>False, with the problem reported, when the operator compares numbers and the field is text.</summary>
    protected static bool IsNumberField(ConditionJson json)
    {
        if (LeadFields.Resolve(json.Subject, out var canonical) != FieldKind.Text)
        {
            return true;
        }

        json.Properties.Problem("op", $"'{json.Operator}' compares numbers and '{canonical}' is text; use 'equals' or 'in'");
        return false;
    }
}
