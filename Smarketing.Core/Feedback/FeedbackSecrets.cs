using Smarketing.Core.Contracts;

namespace Smarketing.Core.Feedback;

/// <summary>The rule every feedback format's secret list follows, so a guessable value cannot be configured by mistake.</summary>
public static class FeedbackSecrets
{
    /// <summary>The shortest secret accepted.</summary>
    public const int MinLength = 16;

    /// <summary>
    /// Adds a failure naming <paramref name="setting"/> for each secret of <paramref name="value"/> that is too short, or,
    /// when <paramref name="urlSafe"/> (the secret travels in a URL), that needs escaping.
    /// </summary>
    public static void Validate(string? value, string setting, bool urlSafe, ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        foreach (var secret in ListSetting.Parse(value))
        {
            if (secret.Length < MinLength)
            {
                failures.Add($"Setting {setting} has a secret of {secret.Length} characters; use at least {MinLength}.");
            }

            if (urlSafe && !secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~'))
            {
                failures.Add($"Setting {setting} has a secret with characters that need escaping in a URL; use letters, digits and - _ . ~ only.");
            }
        }
    }
}
