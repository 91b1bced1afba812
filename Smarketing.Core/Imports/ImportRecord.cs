using System.Text.Json.Nodes;
using Smarketing.Core.Contracts;

namespace Smarketing.Core.Imports;

/// <summary>
/// One data row of an upload: <see cref="Row"/> is its row number as a spreadsheet shows it (CSV: the header is row 1) or
/// its line number (JSON Lines). Either <see cref="Body"/> is set, a JSON object in the shape of the generic lead webhook
/// body for <see cref="LeadSubmissionParser.TryParse"/> to validate, or <see cref="Errors"/> says why the row could not be
/// read (<c>$</c> for the row as a whole, otherwise the column).
/// </summary>
public sealed record ImportRecord(long Row, JsonObject? Body, FieldErrors? Errors);
