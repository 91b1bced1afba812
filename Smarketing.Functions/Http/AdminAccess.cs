using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Intake;
using Smarketing.Functions.Composition;

namespace Smarketing.Functions.Http;

/// <summary>
/// Who may use the read and admin APIs (section <c>Admin</c>), on top of the Functions host's key: a holder of an admin
/// key, or an Entra ID principal with an allowed role that App Service Authentication vouches for.
/// </summary>
public sealed class AdminOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Admin";

    /// <summary>The header an admin key is sent in.</summary>
    public const string KeyHeader = "X-Smarketing-Admin-Key";

    /// <summary>The header App Service Authentication (Easy Auth) puts the signed-in principal in.</summary>
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>The variable App Service sets to <c>True</c> when App Service Authentication is on for the app.</summary>
    public const string AppServiceAuthEnabledSetting = "WEBSITE_AUTH_ENABLED";

    /// <summary>The role an Entra ID principal needs when <see cref="AllowedRoles"/> is not set.</summary>
    public const string DefaultRole = "Smarketing.Admin";

    /// <summary>The admin keys, comma-separated (several, so one can be rotated while the other still works).</summary>
    public string? Keys { get; set; }

    /// <summary>The app roles that open the read and admin APIs to an Entra ID principal, comma-separated (default <see cref="DefaultRole"/>).</summary>
    public string? AllowedRoles { get; set; }

    /// <summary>
    /// Whether <see cref="PrincipalHeader"/> is believed. Only App Service Authentication makes it trustworthy: it strips
    /// any copy a client sent and writes its own. Without it any caller could write the header, so the default is false.
    /// </summary>
    public bool TrustAppServicePrincipal { get; set; }

    /// <summary>The items of <see cref="Keys"/>.</summary>
    public IReadOnlyList<string> KeyList() => ListSetting.Parse(Keys);

    /// <summary>The items of <see cref="AllowedRoles"/>, or <see cref="DefaultRole"/>.</summary>
    public IReadOnlyList<string> RoleList() => ListSetting.Parse(AllowedRoles) is { Count: > 0 } roles ? roles : [DefaultRole];
}

/// <summary>
/// The one check of every read and admin function: <c>null</c> when the caller may go on, else the 401 (no credential,
/// or a wrong one) or 403 (a principal without an allowed role) to answer. In <c>AZURE_FUNCTIONS_ENVIRONMENT=Development</c>
/// the APIs are open without either credential, for a local run.
/// </summary>
public sealed class AdminAccess(IOptions<AdminOptions> options, IConfiguration configuration)
{
    /// <summary>The longest principal header read (Easy Auth's are a few KiB).</summary>
    public const int MaxPrincipalLength = 32 * 1024;

    private static readonly string[] RoleClaimTypes = ["roles", "role", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"];

    private readonly bool _open = DeploymentSafety.IsDevelopment(configuration);

    /// <summary>The refusal to answer, or <c>null</c> when <paramref name="request"/> carries an admin credential.</summary>
    public JsonBodyResult? Refusal(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_open)
        {
            return null;
        }

        var settings = options.Value;
        var key = WebhookRequests.Header(request, AdminOptions.KeyHeader);
        if (key is not null && SharedSecret.Matches(key, settings.KeyList()))
        {
            return null;
        }

        var principal = settings.TrustAppServicePrincipal ? WebhookRequests.Header(request, AdminOptions.PrincipalHeader) : null;
        if (principal is not null)
        {
            var roles = Roles(principal);
            if (roles is null)
            {
                return Unauthenticated($"The {AdminOptions.PrincipalHeader} header is not a readable principal.");
            }

            if (roles.Overlaps(settings.RoleList()))
            {
                return null;
            }

            if (key is null)
            {
                return Problems.Create(
                    StatusCodes.Status403Forbidden,
                    "The caller may not use this endpoint.",
                    $"The signed-in principal has none of the roles of setting {AdminOptions.SectionName}:AllowedRoles ({string.Join(", ", settings.RoleList())}); assign one of them to it in Entra ID.");
            }
        }

        return Unauthenticated(key is null
            ? $"This endpoint needs an admin credential besides the function key: an admin key (setting {AdminOptions.SectionName}:Keys) in the {AdminOptions.KeyHeader} header, or an Entra ID sign-in with an allowed role through App Service Authentication (setting {AdminOptions.SectionName}:TrustAppServicePrincipal)."
            : $"The {AdminOptions.KeyHeader} header matches no key of setting {AdminOptions.SectionName}:Keys.");
    }

    private static JsonBodyResult Unauthenticated(string detail) =>
        Problems.Create(StatusCodes.Status401Unauthorized, "The caller is not authenticated.", detail);

    /// <summary>
    /// The roles of an App Service Authentication principal: base64 of
    /// <c>{"auth_typ": ..., "claims": [{"typ": ..., "val": ...}], "name_typ": ..., "role_typ": ...}</c>, the roles being the
    /// claims of type <c>role_typ</c> (or <c>roles</c>). Null when the header is not such a principal.
    /// </summary>
    internal static HashSet<string>? Roles(string header)
    {
        if (header.Length > MaxPrincipalLength)
        {
            return null;
        }

        var buffer = new byte[header.Length];
        if (!Convert.TryFromBase64String(header.Trim(), buffer, out var length))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 4 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var roleType = root.TryGetProperty("role_typ", out var typ) && typ.ValueKind == JsonValueKind.String ? typ.GetString() : null;
            var roles = new HashSet<string>(StringComparer.Ordinal);
            foreach (var claim in claims.EnumerateArray())
            {
                if (claim.ValueKind == JsonValueKind.Object
                    && claim.TryGetProperty("typ", out var type) && type.ValueKind == JsonValueKind.String
                    && claim.TryGetProperty("val", out var value) && value.ValueKind == JsonValueKind.String
                    && (string.Equals(type.GetString(), roleType, StringComparison.Ordinal) || RoleClaimTypes.Contains(type.GetString(), StringComparer.Ordinal)))
                {
                    roles.Add(value.GetString()!);
                }
            }

            return roles;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Outside Development, every admin key must be as strong as the shared secrets (<see cref="DeploymentSafety.MinSecretBits"/>).</summary>
internal sealed class AdminOptionsValidator(IConfiguration configuration) : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        if (DeploymentSafety.IsDevelopment(configuration))
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        foreach (var (key, index) in options.KeyList().Select((k, i) => (k, i)))
        {
            var which = string.Create(CultureInfo.InvariantCulture, $"Setting {AdminOptions.SectionName}:Keys (entry {index + 1})");
            var bits = DeploymentSafety.EstimatedBits(key);
            if (DeploymentSafety.SampleSecrets.Contains(key))
            {
                failures.Add($"{which} holds a value from local.settings.sample.json, which anyone who read the repository knows; generate a new one, e.g. openssl rand -base64 32.");
            }
            else if (bits < DeploymentSafety.MinSecretBits)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{which} is too weak: about {bits} bits (length × log2 of its distinct characters), at least {DeploymentSafety.MinSecretBits} needed outside Development; generate one, e.g. openssl rand -base64 32."));
            }
        }

        if (options.TrustAppServicePrincipal && !string.Equals(configuration[AdminOptions.AppServiceAuthEnabledSetting], "True", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"Setting {AdminOptions.SectionName}:TrustAppServicePrincipal is true, but App Service Authentication is not on ({AdminOptions.AppServiceAuthEnabledSetting} is not True): without it any caller with a key could send a forged {AdminOptions.PrincipalHeader}. Turn App Service Authentication on (docs/security.md) or set the setting to false.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
