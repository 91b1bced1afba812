using Smarketing.Core.Contracts;

namespace Smarketing.Core.Imports;

/// <summary>
/// The columns of an upload as read from its header row (CSV) or its first line's keys (JSON Lines), the lead field each
/// maps to (null for a column that is ignored), and the ignored columns.
/// </summary>
public sealed record ImportHeader(IReadOnlyList<string> Columns, IReadOnlyList<string?> Fields, IReadOnlyList<string> Ignored)
{
    /// <summary>
    /// The column that gives <paramref name="field"/> (a field path of <see cref="LeadSubmissionParser"/>'s errors, such as
    /// <c>email</c> or <c>actions.viewedPricingPage</c>), so an error can name the column the user sees; null when no column
    /// gives it.
    /// </summary>
    public string? ColumnFor(string field)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (string.Equals(Fields[i], field, StringComparison.Ordinal))
            {
                return Columns[i];
            }
        }

        return null;
    }
}
