using Smarketing.Core.Handoff;
using Smarketing.Core.Intake;

namespace Smarketing.Core.Imports;

/// <summary>
/// Which lead field each column of an uploaded list gives. Column names are matched case-insensitively and trimmed.
/// <see cref="Default"/> knows the app's own field names and the headers of the list exports in <see cref="DefaultColumns"/>;
/// a custom mapping (<see cref="TryParse"/>) is laid over it. A column that maps to nothing is ignored.
/// </summary>
public sealed class ImportMapping
{
    /// <summary>The prefix of a column that gives one activity: <c>actions.viewedPricingPage</c>.</summary>
    public const string ActionsPrefix = "actions.";

    /// <summary>The prefix of a column that gives one attribute the scoring model may read: <c>attributes.plan</c>.</summary>
    public const string AttributesPrefix = "attributes.";

    /// <summary>The longest activity name the lead parser accepts.</summary>
    private const int MaxActivityName = 100;

    /// <summary>
    /// The headers of list exports the default mapping recognises, beside the app's own field names (<c>email</c>,
    /// <c>companySize</c>, …, any case) and <c>actions.&lt;name&gt;</c> / <c>attributes.&lt;name&gt;</c> columns:
    /// <list type="table">
    /// <listheader><term>column</term><description>field (exports that use the header)</description></listheader>
    /// <item><term>Email</term><description>email (HubSpot contacts, Salesforce)</description></item>
    /// <item><term>Email Address</term><description>email (Marketo)</description></item>
    /// <item><term>Phone Number</term><description>phone (HubSpot, Marketo)</description></item>
    /// <item><term>Industry, Country</term><description>their own fields (HubSpot, Marketo, Salesforce)</description></item>
    /// <item><term>Country/Region</term><description>country (HubSpot)</description></item>
    /// <item><term>Job Title</term><description>jobTitle (HubSpot, Marketo); <c>Title</c>: jobTitle (Salesforce)</description></item>
    /// <item><term>Number of Employees, NumberOfEmployees, Num Employees</term><description>companySize (HubSpot, Marketo, Salesforce)</description></item>
    /// <item><term>Record ID</term><description>crmId (HubSpot: the contact's id in the CRM)</description></item>
    /// <item><term>Id</term><description>crmId (Salesforce: the record id)</description></item>
    /// <item><term>LeadSource, Lead Source</term><description>source (Salesforce, Marketo)</description></item>
    /// <item><term>Campaign</term><description>campaign (Salesforce)</description></item>
    /// </list>
    /// Deliberately not mapped: HubSpot's <c>Contact owner</c> (an owner's name, not an owner id). <c>Id</c> is Salesforce's
    /// record id; in a Marketo export the same header holds Marketo's own lead id, which is no CRM id: map it away with
    /// <c>Id=</c> (ignored) or <c>Id=id</c>. A Salesforce <c>Id</c> left out would make the CRM create a second record.
    /// </summary>
    public static IReadOnlyList<(string Column, string Field)> DefaultColumns { get; } =
    [
        ("Email", "email"),
        ("Email Address", "email"),
        ("Phone Number", "phone"),
        ("Country/Region", "country"),
        ("Job Title", "jobTitle"),
        ("Title", "jobTitle"),
        ("Number of Employees", "companySize"),
        ("NumberOfEmployees", "companySize"),
        ("Num Employees", "companySize"),
        ("Record ID", "crmId"),
        ("Id", "crmId"),
        ("LeadSource", "source"),
        ("Lead Source", "source"),
        ("Campaign", "campaign"),
    ];

    /// <summary>The lead fields a column may give: the generic body's fields, and whole <c>actions</c> / <c>attributes</c> objects (JSON Lines).</summary>
    public static IReadOnlyList<string> KnownFields { get; } = [.. VendorMapping.CanonicalFields, "actions", "attributes"];

    // Column (trimmed, any case) → field; a null field ignores the column.
    private readonly Dictionary<string, string?> _columns;

    private ImportMapping(Dictionary<string, string?> columns) => _columns = columns;

    /// <summary>The app's own field names and the headers of HubSpot, Marketo and Salesforce list exports (<see cref="DefaultColumns"/>).</summary>
    public static ImportMapping Default { get; } = new(DefaultTable());

    /// <summary>
    /// Parses a mapping such as <c>Column A=email;Lead Score Source=campaign</c>: pairs separated by <c>;</c>, each a column
    /// name, <c>=</c> and a field (<see cref="KnownFields"/>, <c>actions.&lt;name&gt;</c> or <c>attributes.&lt;name&gt;</c>,
    /// any case), or nothing after <c>=</c> to ignore the column. The pairs are laid over <see cref="Default"/>. A column name
    /// cannot hold <c>;</c> or <c>=</c>. Null or blank text is the default. Returns null with every bad pair named in
    /// <paramref name="errors"/>.
    /// </summary>
    public static ImportMapping? TryParse(string? text, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        errors = problems;
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        var table = DefaultTable();
        var given = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';'))
        {
            var pair = part.Trim();
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                problems.Add($"'{SensitiveText.Echo(pair)}' is not column=field.");
                continue;
            }

            var column = pair[..equals].Trim();
            var target = pair[(equals + 1)..].Trim();
            if (column.Length == 0)
            {
                problems.Add($"'{SensitiveText.Echo(pair)}' names no column.");
                continue;
            }

            string? field = null;
            if (target.Length > 0 && (field = Resolve(target)) is null)
            {
                problems.Add($"'{SensitiveText.Echo(pair)}': '{SensitiveText.Echo(target)}' is no lead field; use one of {string.Join(", ", KnownFields)}, " +
                    $"{ActionsPrefix}<name>, {AttributesPrefix}<name> (a name of 1 to {MaxActivityName} characters), or nothing to ignore the column.");
                continue;
            }

            if (!given.Add(column))
            {
                problems.Add($"'{SensitiveText.Echo(pair)}': the column '{SensitiveText.Echo(column)}' is mapped twice.");
                continue;
            }

            table[column] = field;
        }

        return problems.Count == 0 ? new ImportMapping(table) : null;
    }

    /// <summary>The lead field <paramref name="column"/> gives, in the parser's spelling, or null when the column is ignored.</summary>
    public string? FieldFor(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var name = column.Trim();
        if (_columns.TryGetValue(name, out var field))
        {
            return field;
        }

        return Prefixed(name);
    }

    private static Dictionary<string, string?> DefaultTable()
    {
        var table = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in KnownFields)
        {
            table[field] = field;
        }

        foreach (var (column, field) in DefaultColumns)
        {
            table[column] = field;
        }

        return table;
    }

    private static string? Resolve(string target) =>
        KnownFields.FirstOrDefault(f => f.Equals(target, StringComparison.OrdinalIgnoreCase)) ?? Prefixed(target);

    // actions.<name> and attributes.<name> keep the name as written: the scoring model reads it.
    private static string? Prefixed(string name)
    {
        foreach (var prefix in (ReadOnlySpan<string>)[ActionsPrefix, AttributesPrefix])
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var rest = name[prefix.Length..].Trim();
                return rest.Length is > 0 and <= MaxActivityName ? prefix + rest : null;
            }
        }

        return null;
    }
}
