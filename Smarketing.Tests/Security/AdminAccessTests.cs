using System.Net;
using System.Text;
using System.Text.Json;
using Smarketing.Functions.Http;
using Smarketing.Tests.Infrastructure;
using Smarketing.Tests.Pipeline;
using Xunit;

namespace Smarketing.Tests.Security;

/// <summary>
/// The read and admin APIs (lead lookup and history, summary, export, handoff status, dead letters and their replay) show
/// personal data and change the pipeline: the Functions host's key is not enough. Each takes an admin key or an Entra ID
/// principal with an allowed role, over real HTTP behind the host stand-in's key check.
/// </summary>
public sealed class AdminAccessTests
{
    private const string SecondAdminKey = "adm_rotated_Hn4Wc8Qz2Lx6Vt0Rb5Mk9Jp3Gf7Sd1E";

    public static TheoryData<string, string, string?> ReadAndAdminApis() => new()
    {
        { "GET", "/api/leads/lead-admin", null },
        { "GET", "/api/leads/lead-admin/history", null },
        { "GET", "/api/feedback/summary", null },
        { "GET", "/api/feedback/export", null },
        { "GET", "/api/handoffs/status", null },
        { "GET", "/api/handoffs/poison", null },
        { "POST", "/api/handoffs/poison/replay", """{"leadIds":["lead-never-dead-lettered"]}""" },
        { "DELETE", "/api/leads/lead-admin", null },
        { "POST", "/api/erasures", """{"email":"nameless.admin@example.org"}""" },
    };

    [Theory]
    [MemberData(nameof(ReadAndAdminApis))]
    public async Task ReadApi_HostKeyWithoutAdminCredential_401ProblemJson(string method, string path, string? body)
    {
        await using var stand = await Stand.StartAsync();

        using var response = await stand.SendAsync(method, path, body);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(Problems.ContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(AdminOptions.KeyHeader, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ReadAndAdminApis))]
    public async Task ReadApi_AnyConfiguredAdminKey_200(string method, string path, string? body)
    {
        await using var stand = await Stand.StartAsync(new() { ["Admin:Keys"] = TestApp.AdminKey + ", " + SecondAdminKey });

        using var first = await stand.SendAsync(method, path, body, r => r.Headers.Add(AdminOptions.KeyHeader, TestApp.AdminKey));
        using var rotated = await stand.SendAsync(method, path, body, r => r.Headers.Add(AdminOptions.KeyHeader, SecondAdminKey));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, rotated.StatusCode));
    }

    [Fact]
    public async Task OutsideDevelopment_TrustedPrincipalWithoutAppServiceAuthentication_RefusesToStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Admin:TrustAppServicePrincipal"] = "true" }));

        Assert.Contains("Admin:TrustAppServicePrincipal", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("WEBSITE_AUTH_ENABLED", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadApi_WrongAdminKey_401()
    {
        await using var stand = await Stand.StartAsync();

        using var response = await stand.SendAsync("GET", "/api/leads/lead-admin", null, r => r.Headers.Add(AdminOptions.KeyHeader, TestApp.AdminKey + "x"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("matches no key of setting Admin:Keys", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ReadAndAdminApis))]
    public async Task ReadApi_TrustedPrincipalWithAnAllowedRole_200(string method, string path, string? body)
    {
        await using var stand = await Stand.StartAsync(new() { ["Admin:TrustAppServicePrincipal"] = "true", [AdminOptions.AppServiceAuthEnabledSetting] = "True" });

        using var response = await stand.SendAsync(method, path, body, r => r.Headers.Add(AdminOptions.PrincipalHeader, Principal("roles", AdminOptions.DefaultRole)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReadApi_TrustedPrincipalWithoutAnAllowedRole_403ProblemJson()
    {
        await using var stand = await Stand.StartAsync(new() { ["Admin:TrustAppServicePrincipal"] = "true", [AdminOptions.AppServiceAuthEnabledSetting] = "True" });

        using var response = await stand.SendAsync("GET", "/api/feedback/export", null, r => r.Headers.Add(AdminOptions.PrincipalHeader, Principal("roles", "Smarketing.Reader")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(Problems.ContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Admin:AllowedRoles", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadApi_ConfiguredRolesAndTheRoleTypeOfThePrincipal_Honoured()
    {
        await using var stand = await Stand.StartAsync(new()
        {
            ["Admin:TrustAppServicePrincipal"] = "true",
            [AdminOptions.AppServiceAuthEnabledSetting] = "True",
            ["Admin:AllowedRoles"] = "RevOps.Admin, RevOps.Auditor",
        });
        var roleType = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

        using var auditor = await stand.SendAsync("GET", "/api/feedback/summary", null, r => r.Headers.Add(AdminOptions.PrincipalHeader, Principal(roleType, "RevOps.Auditor")));
        using var defaultRole = await stand.SendAsync("GET", "/api/feedback/summary", null, r => r.Headers.Add(AdminOptions.PrincipalHeader, Principal(roleType, AdminOptions.DefaultRole)));
        using var notARole = await stand.SendAsync("GET", "/api/feedback/summary", null, r => r.Headers.Add(AdminOptions.PrincipalHeader, Principal("name", "RevOps.Admin")));

        Assert.Equal(
            (HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            (auditor.StatusCode, defaultRole.StatusCode, notARole.StatusCode));
    }

    [Theory]
    [InlineData("not base64 at all")]
    [InlineData("bm90IGpzb24=")]
    public async Task ReadApi_TrustedButUnreadablePrincipal_401(string header)
    {
        await using var stand = await Stand.StartAsync(new() { ["Admin:TrustAppServicePrincipal"] = "true", [AdminOptions.AppServiceAuthEnabledSetting] = "True" });

        using var response = await stand.SendAsync("GET", "/api/leads/lead-admin", null, r => r.Headers.TryAddWithoutValidation(AdminOptions.PrincipalHeader, header));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ReadApi_ForgedPrincipalWhenEasyAuthIsNotTrusted_Ignored401()
    {
        await using var stand = await Stand.StartAsync();

        using var response = await stand.SendAsync("GET", "/api/leads/lead-admin", null, r => r.Headers.Add(AdminOptions.PrincipalHeader, Principal("roles", AdminOptions.DefaultRole)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("lead-admin\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadApi_InDevelopment_OpenWithoutAdminCredential()
    {
        await using var stand = await Stand.StartAsync(new() { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development", ["Admin:Keys"] = null });

        using var response = await stand.SendAsync("GET", "/api/leads/lead-admin", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("password1234password")]
    [InlineData("adm_Vq7Lr2Xe9Tc4Nw8Pz3Kh6Bj1Mf5Ds0Ga, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("local-flow-secret-change-me")]
    public async Task OutsideDevelopment_WeakAdminKey_RefusesToStartNamingTheSettingNotTheValue(string keys)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Admin:Keys"] = keys, ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production" });
        });

        Assert.Contains("Admin:Keys", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.Split(',')[^1].Trim(), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InDevelopment_WeakAdminKey_Starts()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Admin:Keys"] = "admin", ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" });

        Assert.Equal(404, (await app.GetLeadAsync("lead-none")).Status);
    }

    /// <summary>An App Service Authentication principal header: base64 of its JSON, with one claim.</summary>
    private static string Principal(string claimType, string value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            claims = new[]
            {
                new { typ = "name", val = "Ada Admin" },
                new { typ = claimType, val = value },
            },
            name_typ = "name",
            role_typ = "roles",
        })));

    /// <summary>The app with two leads (one known by id, one only by address), behind the host stand-in; requests carry the host's default key (the master key for admin-level functions).</summary>
    private sealed class Stand : IAsyncDisposable
    {
        private readonly TestApp _app;
        private readonly LocalFunctionsServer _server;
        private readonly HttpClient _http;

        private Stand(TestApp app, LocalFunctionsServer server)
        {
            _app = app;
            _server = server;
            _http = new HttpClient { BaseAddress = server.BaseAddress };
        }

        public static async Task<Stand> StartAsync(Dictionary<string, string?>? settings = null)
        {
            var app = await TestApp.StartAsync(settings: settings);
            var posted = await app.PostLeadAsync(Leads.Article("lead-admin").ToJsonString());
            Assert.Equal(202, posted.Status);
            var nameless = Leads.Article();
            nameless.Remove("id");
            nameless["email"] = "nameless.admin@example.org";
            Assert.Equal(202, (await app.PostLeadAsync(nameless.ToJsonString())).Status);
            return new Stand(app, await LocalFunctionsServer.StartAsync(app, runQueueListener: false));
        }

        public async Task<HttpResponseMessage> SendAsync(string method, string path, string? body, Action<HttpRequestMessage>? credential = null)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            var adminLevel = path.StartsWith("/api/handoffs/poison", StringComparison.Ordinal) || path == "/api/erasures" || method == "DELETE";
            request.Headers.Add("x-functions-key", adminLevel ? LocalFunctionsServer.MasterKey : LocalFunctionsServer.FunctionKey);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            credential?.Invoke(request);
            return await _http.SendAsync(request);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _server.DisposeAsync();
            await _app.DisposeAsync();
        }
    }
}
