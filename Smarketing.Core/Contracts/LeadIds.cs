using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Contracts;

/// <summary>The settings of lead-id pseudonymisation (section <c>Intake</c>).</summary>
public sealed class LeadIdOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Intake";

    /// <summary>
    /// The secret key of the HMAC that turns an e-mail address into a lead id (<c>Intake:LeadIdKey</c>). Required outside
    /// Development (start-up refuses a missing or weak one); in Development <see cref="LeadIds.DevelopmentKey"/> stands in.
    /// </summary>
    public string? LeadIdKey { get; set; }

    /// <summary>
    /// While true (<c>Intake:LegacyUnsaltedIds</c>), a submission whose keyed id is not in the ledger yet but whose id of
    /// an earlier version is (the unsalted SHA-256 of the address, or the address itself given as id) continues that lead.
    /// </summary>
    public bool LegacyUnsaltedIds { get; set; }
}

/// <summary>
/// Lead ids that reveal no e-mail address. A lead without an id, and a lead whose id is itself an e-mail address, gets
/// <c>pid-</c> and 32 hex digits of HMAC-SHA256(<see cref="LeadIdOptions.LeadIdKey"/>, the upper-cased address): stable
/// for one address, and not computable from an address list without the key (an unsalted hash is, which made
/// <c>GET /api/leads/{id}</c> a membership oracle).
/// </summary>
public sealed class LeadIds
{
    /// <summary>The key used in Development when <c>Intake:LeadIdKey</c> is not set: public, so never outside it.</summary>
    public const string DevelopmentKey = "smarketing-development-lead-id-key-not-secret";

    /// <summary>The prefix of a keyed id.</summary>
    public const string Prefix = "pid-";

    private readonly byte[] _key;

    /// <summary>Creates the pseudonymiser from its options.</summary>
    public LeadIds(IOptions<LeadIdOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = options.Value.LeadIdKey;
        _key = Encoding.UTF8.GetBytes(string.IsNullOrEmpty(key) ? DevelopmentKey : key);
        LegacyLookup = options.Value.LegacyUnsaltedIds;
    }

    /// <summary>Registers <see cref="LeadIds"/> and its options (section <c>Intake</c>) once, for every feature that takes lead ids.</summary>
    public static void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(LeadIds)))
        {
            return;
        }

        services.AddOptions<LeadIdOptions>().BindConfiguration(LeadIdOptions.SectionName);
        services.TryAddSingleton<LeadIds>();
    }

    /// <summary>
    /// The id a lead id received from outside (CRM feedback, an admin call) stands for: an e-mail address is taken as the
    /// address of an id-less lead and pseudonymised, unless ids of earlier versions are still in use
    /// (<see cref="LegacyLookup"/>), when a lead may be kept under its address.
    /// </summary>
    public string Received(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return !LegacyLookup && IsEmailAddress(id) ? FromEmail(id) : id;
    }

    /// <summary>True while ids of earlier versions are still looked up (<see cref="LeadIdOptions.LegacyUnsaltedIds"/>).</summary>
    public bool LegacyLookup { get; }

    /// <summary>The keyed id of an e-mail address.</summary>
    public string FromEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var hash = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(email.Trim().ToUpperInvariant()));
        return Prefix + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>
    /// The id the lead is kept under: <paramref name="id"/> as given, or the keyed id of the address when it is absent
    /// (then <paramref name="email"/>) or is itself an e-mail address.
    /// </summary>
    public string For(string? id, string email) =>
        id is null ? FromEmail(email) : IsEmailAddress(id) ? FromEmail(id) : id;

    /// <summary>
    /// The ids an earlier version gave the same lead, to look up while <see cref="LegacyLookup"/> is on: the unsalted
    /// SHA-256 id of an id-less lead, the address itself of a lead whose id was an address. Empty otherwise.
    /// </summary>
    public IReadOnlyList<string> LegacyFor(string? id, string? email)
    {
        if (!LegacyLookup)
        {
            return [];
        }

        if (id is null)
        {
            return email is null ? [] : [LegacyFromEmail(email)];
        }

        return IsEmailAddress(id) ? [id] : [];
    }

    /// <summary>The id versions before keyed ids derived from an address: an unsalted SHA-256, computable by anyone.</summary>
    public static string LegacyFromEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToUpperInvariant()));
        return "email-" + Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    /// <summary>True when <paramref name="text"/> has the shape of an e-mail address (one <c>@</c>, a dot in the domain, no white space).</summary>
    public static bool IsEmailAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == text.LastIndexOf('@') && at < text.Length - 3 &&
               text.IndexOf('.', at) > at + 1 && !text.Any(char.IsWhiteSpace) && text[^1] != '.';
    }
}
