using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Imports;
using Smarketing.Tests.Infrastructure;
using Xunit;

[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace", Target = "~N:Smarketing.Tests.Imports", Justification = "The folder of the Core feature it tests.")]

namespace Smarketing.Tests.Imports;

/// <summary>
/// The import reader turns CSV and JSON Lines lead lists into generic lead bodies row by row: RFC 4180 quoting, BOM and line
/// ends, spreadsheet row numbers, bad rows reported and skipped, the export headers of HubSpot, Marketo and Salesforce, and
/// every body it yields for a good row is one the generic lead parser accepts.
/// </summary>
public sealed class ImportReaderTests
{
    private static readonly LeadIds Ids = new(Options.Create(new LeadIdOptions { LeadIdKey = "import-reader-tests-lead-id-key-5b1f0c7e9a2d4" }));

    [Fact]
    public async Task ReadAsync_TrickyQuoting_CommaDoubledQuotesAndCrlfInsideQuotes_OneRowEach()
    {
        var csv = "email,jobTitle,attributes.note\r\n" +
                  "a@example.com,\"Head of Sales, EMEA\",plain\r\n" +
                  "b@example.com,CTO,\"She said \"\"call me\"\"\"\r\n" +
                  "c@example.com,CFO,\"first line\r\nsecond line\"\r\n" +
                  "d@example.com,COO,last\r\n";

        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        Assert.Equal([2L, 3L, 4L, 5L], records.Select(r => r.Row));
        var leads = records.Select(Valid).ToList();
        Assert.Equal("Head of Sales, EMEA", leads[0].Profile.JobTitle);
        Assert.Equal("She said \"call me\"", leads[1].Profile.Attributes["note"]);
        Assert.Equal("first line\r\nsecond line", records[2].Body!["attributes"]!["note"]!.GetValue<string>());
        Assert.Equal("d@example.com", leads[3].Profile.Email);
    }

    [Fact]
    public async Task ReadHeaderAndReadAsync_Utf8Bom_IsNotPartOfTheFirstColumn()
    {
        var csv = "Email,Phone\r\na@example.com,555-0100\r\n";

        var header = ImportReader.ReadHeader(Utf8(csv, bom: true), ImportFormat.Csv, ImportMapping.Default, out var error);
        var records = await ReadAllAsync(Utf8(csv, bom: true), ImportFormat.Csv);

        Assert.Null(error);
        Assert.Equal(["Email", "Phone"], header!.Columns);
        Assert.Equal(["email", "phone"], header.Fields);
        Assert.Equal("a@example.com", Valid(Assert.Single(records)).Profile.Email);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public async Task ReadAsync_LineEnds_SameRowsAndBodies(string newline)
    {
        var csv = string.Join(newline, "email,industry,companySize", "a@example.com,SaaS,250", "b@example.com,\"Fin" + newline + "Tech\",90") + newline;

        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        Assert.Equal([2L, 3L], records.Select(r => r.Row));
        Assert.Equal("""{"email":"a@example.com","industry":"SaaS","companySize":250}""", records[0].Body!.ToJsonString());
        Assert.Equal("Fin" + newline + "Tech", records[1].Body!["industry"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReadAsync_RowNumbers_CountAMultiLineFieldOnceAndBlankRows()
    {
        var csv = "email,attributes.note\n" +
                  "a@example.com,\"one\ntwo\nthree\"\n" +
                  "\n" +
                  ",\n" +
                  "b@example.com,x\n";

        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        // Row 2 spans three lines but is one spreadsheet row; rows 3 (empty) and 4 (only separators) are blank and skipped.
        Assert.Equal([2L, 5L], records.Select(r => r.Row));
        Assert.All(records, r => Valid(r));
    }

    [Fact]
    public async Task ReadAsync_RowWithWrongFieldCount_RejectedWithCountsAndTheNextRowsRead()
    {
        var csv = "email,phone,industry\n" +
                  "a@example.com,555,SaaS\n" +
                  "b@example.com,555\n" +
                  "c@example.com,555,SaaS,extra\n" +
                  "d@example.com,555,SaaS\n";

        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        Assert.Equal([2L, 3L, 4L, 5L], records.Select(r => r.Row));
        Assert.Equal("The row has 2 fields, the header has 3.", Assert.Single(records[1].Errors!.ToDictionary()["$"]));
        Assert.Equal("The row has 4 fields, the header has 3.", Assert.Single(records[2].Errors!.ToDictionary()["$"]));
        Assert.Null(records[1].Body);
        Valid(records[0]);
        Valid(records[3]);
    }

    [Fact]
    public async Task ReadAsync_InvalidUtf8InOneCell_RejectsThatRowOnlyNamingTheColumn()
    {
        var bytes = Concat(
            "Email,Job Title\r\na@example.com,CEO\r\nb@example.com,Directeur g"u8.ToArray(),
            [0xE9], // Latin-1 é: not UTF-8
            "n\u00e9ral\r\nc@example.com,CTO \u00e9t\u00e9 \U0001F600\r\n"u8.ToArray());

        var records = await ReadAllAsync(new MemoryStream(bytes), ImportFormat.Csv);

        Assert.Equal([2L, 3L, 4L], records.Select(r => r.Row));
        Valid(records[0]);
        var errors = records[1].Errors!.ToDictionary();
        Assert.Contains("UTF-8", Assert.Single(errors["Job Title"]), StringComparison.Ordinal);
        Assert.Null(records[1].Body);
        Assert.Equal("CTO \u00e9t\u00e9 \U0001F600", Valid(records[2]).Profile.JobTitle);
    }

    [Fact]
    public void ReadHeader_Latin1Header_RefusedAsNotUtf8()
    {
        var bytes = Concat("Email,Soci"u8.ToArray(), [0xE9], "t\u00e9\na@example.com,x\n"u8.ToArray());

        var header = ImportReader.ReadHeader(new MemoryStream(bytes), ImportFormat.Csv, ImportMapping.Default, out var error);

        Assert.Null(header);
        Assert.Contains("not valid UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_FieldOverTheCap_RejectsTheRow()
    {
        var csv = $"email,attributes.note\na@example.com,{new string('x', ImportReader.MaxFieldChars + 1)}\nb@example.com,{new string('x', ImportReader.MaxFieldChars)}\n";

        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        Assert.Contains("longer than 4096", Assert.Single(records[0].Errors!.ToDictionary()["attributes.note"]), StringComparison.Ordinal);
        Assert.Equal(3, records[1].Row);
        Assert.NotNull(records[1].Body);
    }

    [Fact]
    public async Task ReadAsync_RowOverTheRowCap_RejectedWithoutLosingTheRowsAfterIt()
    {
        // A quoted field with line breaks that runs past the row cap: cut, reported, and the rows after it keep their numbers.
        var huge = string.Join("\r\n", Enumerable.Repeat(new string('y', 1000), 100));
        var csv = $"email,attributes.note\r\na@example.com,\"{huge}\"\r\nb@example.com,after\r\nc@example.com,\"q \"\"x\"\"\"\r\n";

        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        Assert.Equal([2L, 3L, 4L], records.Select(r => r.Row));
        Assert.Contains("longer than 65536", Assert.Single(records[0].Errors!.ToDictionary()["$"]), StringComparison.Ordinal);
        Assert.Equal("after", Valid(records[1]).Profile.Attributes["note"]);
        Assert.Equal("q \"x\"", Valid(records[2]).Profile.Attributes["note"]);
    }

    [Fact]
    public async Task ReadAsync_UnclosedQuote_OneBoundedRowErrorNotTheWholeFileInMemory()
    {
        var rest = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"lead{i}@example.com,fine\n"));
        var csv = "email,attributes.note\na@example.com,ok\nb@example.com,\"never closed\n" + rest;

        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        Assert.Equal(2, records.Count);
        Valid(records[0]);
        Assert.Equal(3, records[1].Row);
        Assert.Contains("unclosed quote", Assert.Single(records[1].Errors!.ToDictionary()["$"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_StrayQuoteInUnquotedField_RowRejected()
    {
        var csv = "email,jobTitle\na@example.com,Head of \"Growth\"\nb@example.com,CTO\n";

        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        Assert.Contains("stray or unclosed quote", Assert.Single(records[0].Errors!.ToDictionary()["$"]), StringComparison.Ordinal);
        Assert.Equal(3, records[1].Row);
        Valid(records[1]);
    }

    [Theory]
    [InlineData("", "The file is empty")]
    [InlineData("First Name,Last Name\nAda,Byrne\n", "No column gives email")]
    [InlineData("Email,Email Address\na@example.com,a@example.com\n", "'Email' and 'Email Address' both give email")]
    [InlineData("email,Industry,industry\na@example.com,x,y\n", "'Industry' and 'industry' both give industry")]
    public async Task ReadHeader_UnusableHeader_RefusedWithTheReason(string csv, string expected)
    {
        var header = ImportReader.ReadHeader(Utf8(csv), ImportFormat.Csv, ImportMapping.Default, out var error);
        var records = await ReadAllAsync(Utf8(csv), ImportFormat.Csv);

        Assert.Null(header);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        if (csv.Length > 0)
        {
            // ReadAsync over the same file says so once, for row 1, and reads nothing else.
            var record = Assert.Single(records);
            Assert.Equal(1, record.Row);
            Assert.Contains(expected, Assert.Single(record.Errors!.ToDictionary()["$"]), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ReadHeader_TooManyColumns_Refused()
    {
        var csv = "email," + string.Join(",", Enumerable.Range(0, ImportReader.MaxColumns).Select(i => "c" + i)) + "\n";

        Assert.Null(ImportReader.ReadHeader(Utf8(csv), ImportFormat.Csv, ImportMapping.Default, out var error));
        Assert.Contains("201 columns; at most 200", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultMapping_HubSpotContactsExport_Mapped()
    {
        var csv = "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Job Title,Industry,Country/Region,Number of Employees,Lifecycle Stage\r\n" +
                  "51234567890,Ada,Byrne,ada@example.com,+353 1 555 0101,Jane Rep,VP RevOps,SaaS,Ireland,100-500,Lead\r\n";

        var header = ImportReader.ReadHeader(Utf8(csv), ImportFormat.Csv, ImportMapping.Default, out var error);
        var lead = Valid(Assert.Single(await ReadAllAsync(Utf8(csv), ImportFormat.Csv)));

        Assert.Null(error);
        Assert.Equal(["crmId", null, null, "email", "phone", null, "jobTitle", "industry", "country", "companySize", null], header!.Fields);
        Assert.Contains("Contact owner", header.Ignored);
        Assert.Equal("51234567890", lead.CrmId);
        Assert.Null(lead.OwnerId);
        Assert.Equal(("ada@example.com", "+353 1 555 0101", "VP RevOps", "SaaS", "Ireland", 300),
            (lead.Profile.Email, lead.Profile.Phone, lead.Profile.JobTitle, lead.Profile.Industry, lead.Profile.Country, lead.Profile.CompanySize));
    }

    [Fact]
    public async Task DefaultMapping_MarketoExport_MappedAndItsIdMappedAway()
    {
        var csv = "Id,First Name,Last Name,Email Address,Phone Number,Job Title,Company Name,Industry,Num Employees,Country,Lead Source\n" +
                  "4711,Li,Wei,li@example.com,+65 5550 1020,Head of Marketing,\"Contoso, Ltd.\",FinTech,1200,Singapore,Trade Show\n";
        var mapping = ImportMapping.TryParse("Id=", out var mappingErrors)!;

        var header = ImportReader.ReadHeader(Utf8(csv), ImportFormat.Csv, mapping, out var error);
        var lead = Valid(Assert.Single(await ReadAllAsync(Utf8(csv), ImportFormat.Csv, mapping)));

        Assert.Empty(mappingErrors);
        Assert.Null(error);
        Assert.Equal([null, null, null, "email", "phone", "jobTitle", null, "industry", "companySize", "country", "source"], header!.Fields);
        Assert.Null(lead.CrmId);
        Assert.Equal(("li@example.com", "Head of Marketing", 1200, "Trade Show"), (lead.Profile.Email, lead.Profile.JobTitle, lead.Profile.CompanySize, lead.Source));
    }

    [Theory]
    [InlineData("Id,FirstName,LastName,Email,Phone,Title,Company,Industry,NumberOfEmployees,Country,LeadSource,Campaign")]
    [InlineData("ID,FIRSTNAME,LASTNAME,EMAIL,PHONE,TITLE,COMPANY,INDUSTRY,NUMBEROFEMPLOYEES,COUNTRY,LEADSOURCE,CAMPAIGN")]
    public async Task DefaultMapping_SalesforceExport_Mapped(string headerRow)
    {
        var csv = headerRow + "\r\n00Q5g00000ABCdeEAF,Marta,Silva,marta@example.com,+351 21 555 0199,Data Engineer,Fabrikam,Manufacturing,80,Portugal,Web,2026-q4-webinar\r\n";

        var header = ImportReader.ReadHeader(Utf8(csv), ImportFormat.Csv, ImportMapping.Default, out var error);
        var lead = Valid(Assert.Single(await ReadAllAsync(Utf8(csv), ImportFormat.Csv)));

        Assert.Null(error);
        Assert.Equal(["crmId", null, null, "email", "phone", "jobTitle", null, "industry", "companySize", "country", "source", "campaign"], header!.Fields);
        Assert.Equal(("00Q5g00000ABCdeEAF", "marta@example.com", "Data Engineer", 80, "Web", "2026-q4-webinar"),
            (lead.CrmId, lead.Profile.Email, lead.Profile.JobTitle, lead.Profile.CompanySize, lead.Source, lead.Campaign));
    }

    [Fact]
    public async Task TryParse_CustomMapping_LaidOverTheDefault()
    {
        var mapping = ImportMapping.TryParse(" column a = EMAIL ; Lead Score Source=campaign;Badge=actions.visitedBooth;Plan=attributes.plan;Industry=;", out var errors);
        var csv = "Column A,Lead Score Source,Badge,Plan,Industry,Phone Number\nada@example.com,expo-2026,yes,gold,SaaS,555\n";

        var lead = Valid(Assert.Single(await ReadAllAsync(Utf8(csv), ImportFormat.Csv, mapping!)));

        Assert.Empty(errors);
        Assert.Equal("email", mapping!.FieldFor("COLUMN A"));
        Assert.Null(mapping.FieldFor("Industry"));
        Assert.Equal(("ada@example.com", "expo-2026", null, "555", "gold"), (lead.Profile.Email, lead.Campaign, lead.Profile.Industry, lead.Profile.Phone, lead.Profile.Attributes["plan"]));
        Assert.Equal(1, lead.Profile.Activities["visitedBooth"].Count);
    }

    [Fact]
    public void TryParse_BadPairs_EveryOneNamed()
    {
        var mapping = ImportMapping.TryParse("Column A=email;Broken;=phone;Score=leadScore;Column A=phone;X=actions.", out var errors);

        Assert.Null(mapping);
        Assert.Collection(
            errors,
            e => Assert.StartsWith("'Broken' is not column=field", e, StringComparison.Ordinal),
            e => Assert.StartsWith("'=phone' names no column", e, StringComparison.Ordinal),
            e => Assert.StartsWith("'Score=leadScore': 'leadScore' is no lead field", e, StringComparison.Ordinal),
            e => Assert.StartsWith("'Column A=phone': the column 'Column A' is mapped twice", e, StringComparison.Ordinal),
            e => Assert.StartsWith("'X=actions.': 'actions.' is no lead field", e, StringComparison.Ordinal));
    }

    [Fact]
    public void TryParse_NullOrBlank_IsTheDefault()
    {
        Assert.Same(ImportMapping.Default, ImportMapping.TryParse(null, out var none));
        Assert.Empty(none);
        Assert.Same(ImportMapping.Default, ImportMapping.TryParse("  ", out _));
    }

    [Fact]
    public async Task ReadAsync_JsonLines_BadLineAndBlankLineCountedAndTheRestRead()
    {
        var jsonl = """
            {"email":"a@example.com","companySize":250,"actions":{"viewedPricingPage":true}}

            {"email":"b@example.com",
            [1,2]
            {"Email Address":"c@example.com","Job Title":"CTO","actions.downloadedCaseStudy":3,"unknown":"dropped"}
            {"email":"d@example.com","email":"e@example.com"}
            """;

        var records = await ReadAllAsync(Utf8(jsonl.Replace("\n", "\r\n", StringComparison.Ordinal)), ImportFormat.JsonLines);

        Assert.Equal([1L, 3L, 4L, 5L, 6L], records.Select(r => r.Row));
        Assert.Equal(1, Valid(records[0]).Profile.Activities["viewedPricingPage"].Count);
        Assert.Contains("not valid JSON", Assert.Single(records[1].Errors!.ToDictionary()["$"]), StringComparison.Ordinal);
        Assert.Contains("JSON object", Assert.Single(records[2].Errors!.ToDictionary()["$"]), StringComparison.Ordinal);
        Assert.Null(records[1].Body);
        Assert.Equal("""{"email":"c@example.com","jobTitle":"CTO","actions":{"downloadedCaseStudy":3}}""", records[3].Body!.ToJsonString());
        Assert.Equal(3, Valid(records[3]).Profile.Activities["downloadedCaseStudy"].Count);
        Assert.Contains("Given twice", Assert.Single(records[4].Errors!.ToDictionary()["email"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_JsonLines_InvalidUtf8AndOverLongLines_RejectedAlone()
    {
        var bytes = Concat(
            "\uFEFF{\"email\":\"a@example.com\"}\n{\"email\":\"b@ex"u8.ToArray(),
            [0xFF],
            "ample.com\"}\n{\"email\":\"c@example.com\",\"jobTitle\":\""u8.ToArray(),
            Encoding.UTF8.GetBytes(new string('x', ImportReader.MaxLineBytes)),
            "\"}\n{\"email\":\"d@example.com\"}"u8.ToArray());

        var records = await ReadAllAsync(new MemoryStream(bytes), ImportFormat.JsonLines);

        Assert.Equal([1L, 2L, 3L, 4L], records.Select(r => r.Row));
        Assert.Equal("a@example.com", Valid(records[0]).Profile.Email);
        Assert.Equal("The line is not valid UTF-8.", Assert.Single(records[1].Errors!.ToDictionary()["$"]));
        Assert.Equal($"The line is longer than {ImportReader.MaxLineBytes} bytes.", Assert.Single(records[2].Errors!.ToDictionary()["$"]));
        Assert.Equal("d@example.com", Valid(records[3]).Profile.Email);
    }

    [Fact]
    public void ReadHeader_JsonLines_FirstLinesKeysMapped()
    {
        var jsonl = "\n{\"Email Address\":\"a@example.com\",\"companySize\":3,\"notes\":\"x\"}\n{\"email\":\"b@example.com\"}\n";

        var header = ImportReader.ReadHeader(Utf8(jsonl), ImportFormat.JsonLines, ImportMapping.Default, out var error);
        var refused = ImportReader.ReadHeader(Utf8("email,phone\na@example.com,1\n"), ImportFormat.JsonLines, ImportMapping.Default, out var notJson);

        Assert.Null(error);
        Assert.Equal(["Email Address", "companySize", "notes"], header!.Columns);
        Assert.Equal(["email", "companySize", null], header.Fields);
        Assert.Equal("Email Address", header.ColumnFor("email"));
        Assert.Null(refused);
        Assert.StartsWith("Line 1 is not a lead", notJson, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("250", "250")]
    [InlineData(" 1,200 ", "1200")]
    [InlineData("100-500", "300")]
    [InlineData("1000+", "1000")]
    [InlineData("a few", "\"a few\"")]
    [InlineData("12.5", "\"12.5\"")]
    public async Task ReadAsync_CompanySize_WholeNumbersBecomeNumbersOtherTextStaysForTheValidator(string cell, string json)
    {
        var records = await ReadAllAsync(Utf8($"email,companySize\na@example.com,\"{cell}\"\n"), ImportFormat.Csv);

        var body = Assert.Single(records).Body!;
        Assert.Equal(json, body["companySize"]!.ToJsonString());
        var lead = LeadSubmissionParser.TryParse(JsonSerializer.SerializeToUtf8Bytes(body), Ids, out var errors);
        Assert.Equal(json.StartsWith('"'), lead is null);
        Assert.Equal(json.StartsWith('"') ? ["companySize"] : [], errors.Fields);
    }

    [Fact]
    public async Task ReadAsync_ActionColumns_FlagsCountsAndEmptyCellsLeftOut()
    {
        var csv = "email,actions.a,actions.b,actions.c,actions.d,actions.e,actions.f,actions.g,actions.h\n" +
                  "x@example.com,yes,no,1,0,TRUE,false,7,\n";

        var record = Assert.Single(await ReadAllAsync(Utf8(csv), ImportFormat.Csv));

        Assert.Equal("""{"a":true,"b":false,"c":true,"d":false,"e":true,"f":false,"g":7}""", record.Body!["actions"]!.ToJsonString());
        var lead = Valid(record);
        Assert.Equal(7, lead.Profile.Activities["g"].Count);
        Assert.False(lead.Profile.Activities.ContainsKey("h"));
    }

    [Fact]
    public async Task ReadAsync_EmptyCells_LeftOut()
    {
        var record = Assert.Single(await ReadAllAsync(Utf8("email,phone,industry,companySize\na@example.com,, ,\n"), ImportFormat.Csv));

        Assert.Equal("""{"email":"a@example.com"}""", record.Body!.ToJsonString());
    }

    [Fact]
    public async Task ReadAsync_FiftyThousandRows_StreamedNotLoaded()
    {
        const int rows = 50_000;
        var source = new GeneratedCsvStream(rows);
        long readWhenFirstRowArrived = -1;
        var count = 0;
        long lastRow = 0;

        await foreach (var record in ImportReader.ReadAsync(source, ImportFormat.Csv, ImportMapping.Default, CancellationToken.None))
        {
            if (count == 0)
            {
                readWhenFirstRowArrived = source.BytesRead;
            }

            if (count % 5_000 == 0)
            {
                Valid(record);
            }

            Assert.NotNull(record.Body);
            count++;
            lastRow = record.Row;
        }

        Assert.Equal(rows, count);
        Assert.Equal(rows + 1, lastRow);

        // The first row came after reading a buffer or two, not the file (several MB).
        Assert.InRange(readWhenFirstRowArrived, 1, 64 * 1024);
        Assert.True(source.BytesRead > 5_000_000, $"{source.BytesRead} bytes");
    }

    [Fact]
    public async Task SampleFile_TradeShowLeads_ReadWithItsOneBadRow()
    {
        var path = Path.Combine(Azurite.RepositoryRoot(), "docs", "samples", "trade-show-leads.csv");

        ImportHeader? header;
        await using (var stream = File.OpenRead(path))
        {
            header = ImportReader.ReadHeader(stream, ImportFormat.Csv, ImportMapping.Default, out var error);
            Assert.Null(error);
        }

        await using var file = File.OpenRead(path);
        var records = await ReadAllAsync(file, ImportFormat.Csv);

        Assert.Equal(["First Name", "Last Name", "Company Name", "Notes"], header!.Ignored);
        Assert.Equal(12, records.Count);
        var unreadable = Assert.Single(records, r => r.Errors is not null);
        Assert.Equal(9, unreadable.Row);
        Assert.Equal("The row has 11 fields, the header has 12.", Assert.Single(unreadable.Errors!.ToDictionary()["$"]));

        var refused = new Dictionary<long, string>();
        foreach (var record in records.Where(r => r.Body is not null))
        {
            if (LeadSubmissionParser.TryParse(JsonSerializer.SerializeToUtf8Bytes(record.Body), Ids, out var errors) is null)
            {
                refused[record.Row] = string.Join(",", errors.Fields);
            }
        }

        // The validator, not the reader, refuses a badge scan without an address and a company size in words.
        Assert.Equal(new Dictionary<long, string> { [7] = "email", [8] = "companySize" }, refused);
        Assert.Equal(750, records.Single(r => r.Row == 5).Body!["companySize"]!.GetValue<int>());
        Assert.Equal(6, records.Single(r => r.Body?["email"]?.GetValue<string>() == "s.novak@adatum.example").Row);
    }

    [Theory]
    [InlineData("text/csv", ImportFormat.Csv)]
    [InlineData("application/csv", ImportFormat.Csv)]
    [InlineData("Text/CSV; charset=UTF-8", ImportFormat.Csv)]
    [InlineData("text/csv; charset=\"utf-8\"; header=present", ImportFormat.Csv)]
    [InlineData("application/x-ndjson", ImportFormat.JsonLines)]
    [InlineData("application/jsonl", ImportFormat.JsonLines)]
    [InlineData("application/x-jsonlines", ImportFormat.JsonLines)]
    [InlineData("application/jsonlines; charset=utf-8", ImportFormat.JsonLines)]
    [InlineData("text/csv; charset=iso-8859-1", null)]
    [InlineData("application/x-ndjson; charset=utf-16", null)]
    [InlineData("application/json", null)]
    [InlineData("text/plain", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("not a media type", null)]
    public void FromContentType_KnownTypesAndUtf8Only(string? contentType, ImportFormat? expected)
    {
        Assert.Equal(expected, ImportFormats.FromContentType(contentType));
    }

    private static LeadSubmission Valid(ImportRecord record)
    {
        Assert.True(record.Body is not null, $"row {record.Row}: {record.Errors}");
        var lead = LeadSubmissionParser.TryParse(JsonSerializer.SerializeToUtf8Bytes(record.Body), Ids, out var errors);
        Assert.True(lead is not null, $"row {record.Row}: {errors}");
        return lead!;
    }

    private static async Task<List<ImportRecord>> ReadAllAsync(Stream stream, ImportFormat format, ImportMapping? mapping = null)
    {
        var records = new List<ImportRecord>();
        await foreach (var record in ImportReader.ReadAsync(stream, format, mapping ?? ImportMapping.Default, CancellationToken.None))
        {
            records.Add(record);
        }

        return records;
    }

    private static MemoryStream Utf8(string text, bool bom = false) =>
        new(bom ? [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(text)] : Encoding.UTF8.GetBytes(text));

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>A CSV of generated leads produced as it is read, so no copy of the whole file ever exists.</summary>
    private sealed class GeneratedCsvStream(int rows) : Stream
    {
        private byte[] _pending = Encoding.UTF8.GetBytes("Email,Phone Number,Industry,Number of Employees,Country,actions.viewedPricingPage,Notes\r\n");
        private int _pendingPos;
        private int _next;

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var written = 0;
            while (written < count)
            {
                if (_pendingPos == _pending.Length)
                {
                    if (_next == rows)
                    {
                        break;
                    }

                    var i = _next++;
                    _pending = Encoding.UTF8.GetBytes(
                        $"lead{i}@example.com,555-{i % 10_000:D4},{(i % 2 == 0 ? "SaaS" : "Retail")},{i % 900},\"Country {i % 50}\",{(i % 3 == 0 ? "yes" : "no")},\"note, with comma\"\r\n");
                    _pendingPos = 0;
                }

                var n = Math.Min(count - written, _pending.Length - _pendingPos);
                Array.Copy(_pending, _pendingPos, buffer, offset + written, n);
                _pendingPos += n;
                written += n;
            }

            BytesRead += written;
            return written;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
