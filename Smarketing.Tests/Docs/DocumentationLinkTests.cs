using System.Text.RegularExpressions;
using Smarketing.Tests.Infrastructure;
using Xunit;

namespace Smarketing.Tests.Docs;

/// <summary>
/// The README is the front door and docs/ the manual: a link that leads nowhere is a broken promise, so every
/// relative link and image in README.md and docs/**/*.md must name an existing file, and every #anchor into a
/// Markdown file an existing heading (slugged the way GitHub renders it).
/// </summary>
public sealed partial class DocumentationLinkTests
{
    private const int ReadmeLineLimit = 250;

    [Fact]
    public void Readme_LineCount_IsUnderLimit()
    {
        var lines = File.ReadAllLines(Path.Combine(Azurite.RepositoryRoot(), "README.md")).Length;

        Assert.True(lines < ReadmeLineLimit, $"README.md has {lines} lines; the front door stays under {ReadmeLineLimit}, the rest belongs in docs/.");
    }

    [Fact]
    public void ReadmeAndDocs_RelativeLinks_ResolveToExistingFiles()
    {
        var broken = new List<string>();
        foreach (var (file, line, target) in RelativeLinks())
        {
            var path = PathPart(target);
            if (path.Length > 0 && !Exists(Resolve(file, path)))
            {
                broken.Add($"{Display(file)}:{line}: {target} (no such file)");
            }
        }

        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void ReadmeAndDocs_AnchorsIntoMarkdown_NameExistingHeadings()
    {
        var broken = new List<string>();
        foreach (var (file, line, target) in RelativeLinks())
        {
            var hash = target.IndexOf('#', StringComparison.Ordinal);
            if (hash < 0)
            {
                continue;
            }

            var path = PathPart(target);
            var linked = path.Length == 0 ? file : Resolve(file, path);
            if (!linked.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(linked))
            {
                // A missing file is the other test's finding; anchors into code files are line numbers.
                continue;
            }

            var anchor = Uri.UnescapeDataString(target[(hash + 1)..]);
            if (!Anchors(linked).Contains(anchor))
            {
                broken.Add($"{Display(file)}:{line}: {target} (no heading with that anchor in {Display(linked)})");
            }
        }

        Assert.True(broken.Count == 0, "Broken anchors:\n" + string.Join('\n', broken));
    }

    [Theory]
    [InlineData("The article's story in curl", "the-articles-story-in-curl")]
    [InlineData("Closing the loop: CRM feedback", "closing-the-loop-crm-feedback")]
    [InlineData("The summary: `GET /api/feedback/summary`", "the-summary-get-apifeedbacksummary")]
    [InlineData("Retries, rate limits and the poison queue", "retries-rate-limits-and-the-poison-queue")]
    [InlineData("Salesforce Flow HTTP callout", "salesforce-flow-http-callout")]
    [InlineData("[Settings](settings.md) and `Crm__Provider`", "settings-and-crm__provider")]
    [InlineData("NEW → MQL", "new--mql")]
    public void Slug_Heading_MatchesGitHub(string heading, string expected)
    {
        Assert.Equal(expected, Slug(heading));
    }

    [Fact]
    public void Links_InlineReferenceAndImage_AreFoundOutsideCode()
    {
        string[] markdown =
        [
            "See [settings](docs/settings.md#crm) and ![diagram](docs/flow.png \"the flow\").",
            "`[not a link](nowhere.md)` stays code, as does [http](https://example.com).",
            "```",
            "[inside a fence](nowhere.md)",
            "```",
            "[ref]: <docs/storage.md>",
        ];

        string[] expected = ["docs/settings.md#crm", "docs/flow.png", "https://example.com", "docs/storage.md"];

        Assert.Equal(expected, Links(markdown).Select(l => l.Target));
    }

    internal static string Slug(string heading)
    {
        var text = MarkdownLink().Replace(heading, "$1");
        text = text.Trim().ToLowerInvariant();
        text = NotSlugCharacter().Replace(text, string.Empty);
        return text.Replace(' ', '-');
    }

    internal static IEnumerable<(int Line, string Target)> Links(IReadOnlyList<string> lines)
    {
        var fence = (string?)null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                var marker = trimmed[..3];
                fence = fence is null ? marker : fence == marker ? null : fence;
                continue;
            }

            if (fence is not null)
            {
                continue;
            }

            var prose = CodeSpan().Replace(line, string.Empty);
            foreach (Match match in InlineLink().Matches(prose))
            {
                yield return (i + 1, Target(match.Groups["target"].Value));
            }

            var definition = ReferenceDefinition().Match(prose);
            if (definition.Success)
            {
                yield return (i + 1, Target(definition.Groups["target"].Value));
            }
        }
    }

    private static IEnumerable<(string File, int Line, string Target)> RelativeLinks()
    {
        foreach (var file in MarkdownFiles())
        {
            foreach (var (line, target) in Links(File.ReadAllLines(file)))
            {
                if (!IsExternal(target))
                {
                    yield return (file, line, target);
                }
            }
        }
    }

    private static IEnumerable<string> MarkdownFiles()
    {
        var root = Azurite.RepositoryRoot();
        yield return Path.Combine(root, "README.md");
        var docs = Path.Combine(root, "docs");
        if (Directory.Exists(docs))
        {
            foreach (var file in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                yield return file;
            }
        }
    }

    private static HashSet<string> Anchors(string markdownFile)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var fence = (string?)null;
        foreach (var line in File.ReadAllLines(markdownFile))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                var marker = trimmed[..3];
                fence = fence is null ? marker : fence == marker ? null : fence;
                continue;
            }

            if (fence is not null)
            {
                continue;
            }

            foreach (Match html in HtmlAnchor().Matches(line))
            {
                anchors.Add(html.Groups["id"].Value);
            }

            var heading = Heading().Match(line);
            if (!heading.Success)
            {
                continue;
            }

            // GitHub numbers repeated headings: setup, setup-1, setup-2.
            var slug = Slug(heading.Groups["text"].Value);
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }

        return anchors;
    }

    private static string Target(string raw)
    {
        var target = raw.Trim();
        if (target.StartsWith('<'))
        {
            var end = target.IndexOf('>', StringComparison.Ordinal);
            return end > 0 ? target[1..end] : target;
        }

        var space = target.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? target : target[..space];
    }

    private static bool IsExternal(string target) =>
        UriScheme().IsMatch(target) || target.StartsWith("//", StringComparison.Ordinal);

    private static string PathPart(string target)
    {
        var end = target.IndexOfAny(['#', '?']);
        return Uri.UnescapeDataString(end < 0 ? target : target[..end]);
    }

    private static string Resolve(string fromFile, string path) =>
        path.StartsWith('/')
            ? Path.GetFullPath(Path.Combine(Azurite.RepositoryRoot(), path.TrimStart('/')))
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fromFile)!, path));

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static string Display(string path) => Path.GetRelativePath(Azurite.RepositoryRoot(), path).Replace('\\', '/');

    // [text](target) and ![alt](target); the target may carry a "title" or be wrapped in <...>.
    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?<target><[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+""[^""]*"")?)\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s*(?<target>\S+)")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"(`+)(?:(?!\1).)+\1")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"<a\s+(?:name|id)=""(?<id>[^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlAnchor();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex MarkdownLink();

    // What GitHub drops from a heading's text when it makes the anchor: everything but letters, marks, digits,
    // spaces, hyphens and underscores.
    [GeneratedRegex(@"[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc} \-]")]
    private static partial Regex NotSlugCharacter();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:")]
    private static partial Regex UriScheme();
}
