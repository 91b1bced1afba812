using System.ComponentModel;
using Spectre.Console.Cli;

namespace Smarketing.Import;

/// <summary>The command line, as parsed; <see cref="ImportOptions"/> checks it and adds the environment.</summary>
public sealed class ImportSettings : CommandSettings
{
    [CommandArgument(0, "<file>")]
    [Description("The lead list: .csv, or .jsonl/.ndjson (one JSON lead a line).")]
    public string File { get; set; } = "";

    [CommandOption("--url <URL>")]
    [Description("The app's base URL, e.g. http://localhost:7071 (or SMARKETING_URL).")]
    public string? Url { get; set; }

    [CommandOption("--mapping <MAPPING>")]
    [Description("Column to field mapping, \"Column=field;...\", for headers that are not the app's field names.")]
    public string? Mapping { get; set; }

    [CommandOption("--key <KEY>")]
    [Description("The function key, sent as x-functions-key; needed in Azure (or SMARKETING_FUNCTION_KEY).")]
    public string? FunctionKey { get; set; }

    [CommandOption("--admin-key <KEY>")]
    [Description("An admin key (one of Admin__Keys), sent as X-Smarketing-Admin-Key; needed outside Development (or SMARKETING_ADMIN_KEY).")]
    public string? AdminKey { get; set; }

    [CommandOption("--idempotency-key <KEY>")]
    [Description("Names this upload: the same key again follows the first import. Without it the app recognises a re-upload by its content.")]
    public string? IdempotencyKey { get; set; }

    [CommandOption("--out <PATH>")]
    [Description("Where to write the rejected rows (default: <file>.rejected.csv beside the lead list).")]
    public string? Out { get; set; }

    [CommandOption("--poll <INTERVAL>")]
    [Description("How often to ask for progress: 500ms, 2s, 1m.")]
    [DefaultValue("2s")]
    public string Poll { get; set; } = "2s";

    [CommandOption("--timeout <DURATION>")]
    [Description("How long to wait for the import to finish, upload included: 30m, 2h, 1h30m.")]
    [DefaultValue("2h")]
    public string Timeout { get; set; } = "2h";

    [CommandOption("--no-wait")]
    [Description("Upload, print the import's id and exit without following it.")]
    public bool NoWait { get; set; }
}
