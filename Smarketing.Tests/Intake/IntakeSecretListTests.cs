using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Intake;
using Smarketing.Core.Intake.Generic;
using Smarketing.Core.Intake.HubSpot;
using Smarketing.Core.Intake.Marketo;
using Xunit;

namespace Smarketing.Tests.Intake;

/// <summary>
/// Intake secrets are read as every list setting is (<c>ListSetting.Parse</c>): comma-separated, each trimmed, so a
/// space belongs to the secret and only a comma separates two.
/// </summary>
public sealed class IntakeSecretListTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly LeadIds Ids = new(Options.Create(new LeadIdOptions()));

    [Theory]
    [InlineData("marketo secret with spaces 01", true)]
    [InlineData("marketo-second-secret-0123", true)]
    [InlineData("marketo", false)]
    [InlineData("spaces", false)]
    public void Marketo_CommaSeparatedSecrets_SpacesBelongToTheSecret(string presented, bool accepted)
    {
        var source = new MarketoLeadSource(Options.Create(new MarketoSourceOptions { Secrets = " marketo secret with spaces 01 ,marketo-second-secret-0123," }), Ids);
        var request = Request(new Dictionary<string, string> { ["X-Smarketing-Secret"] = presented });

        Assert.Equal(accepted, source.Authenticate(request, Now).Authenticated);
    }

    [Fact]
    public void HubSpot_CommaSeparatedClientSecrets_EachActive()
    {
        var source = new HubSpotLeadSource(Options.Create(new HubSpotSourceOptions { ClientSecrets = "old-client-secret-000001, current client secret 02" }), Ids);
        var timestamp = Now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        foreach (var secret in new[] { "old-client-secret-000001", "current client secret 02" })
        {
            var request = Request(new Dictionary<string, string>
            {
                [HubSpotSignatures.V3Header] = HubSpotSignatures.SignV3(secret, "POST", "https://x.example/api/leads/hubspot", [], timestamp),
                [HubSpotSignatures.TimestampHeader] = timestamp,
            });
            Assert.True(source.Authenticate(request, Now).Authenticated, secret);
        }
    }

    [Fact]
    public void Generic_SpaceSeparatedSecrets_OneBadEntryNamed()
    {
        var one = "whsec_" + Convert.ToBase64String(new byte[24]);
        var two = "whsec_" + Convert.ToBase64String(Enumerable.Repeat((byte)7, 24).ToArray());

        Assert.True(new GenericSourceOptionsValidator().Validate(null, new GenericSourceOptions { Secrets = one + ", " + two }).Succeeded);
        Assert.Equal(2, new GenericSourceOptions { Secrets = one + ", " + two }.Keys().Count);

        var spaced = new GenericSourceOptionsValidator().Validate(null, new GenericSourceOptions { Secrets = one + " " + two });
        Assert.True(spaced.Failed);
        Assert.Contains("Intake:Generic:Secrets", spaced.FailureMessage, StringComparison.Ordinal);
    }

    private static WebhookRequest Request(Dictionary<string, string> headers) => new()
    {
        Method = "POST",
        Uri = "https://x.example/api/leads/hubspot",
        Headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase),
        Body = Encoding.UTF8.GetBytes(string.Empty),
    };
}
