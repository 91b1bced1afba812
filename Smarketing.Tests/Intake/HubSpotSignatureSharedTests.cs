using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Smarketing.Core.Contracts;
using Smarketing.Core.Feedback.HubSpot;
using Smarketing.Core.Intake;
using Smarketing.Core.Intake.HubSpot;
using Xunit;

namespace Smarketing.Tests.Intake;

/// <summary>
/// The lead intake and the HubSpot feedback endpoint check HubSpot signatures through the one verifier: the same timestamp
/// window, the same URI escapes, the same comparison; v2 only where the intake opts in, never for feedback.
/// </summary>
public sealed class HubSpotSignatureSharedTests
{
    private const string Secret = "shared-client-secret-0123456789";
    private const string Uri = "https://smarketing.example.net/api/leads/hubspot?code=k";
    private static readonly DateTimeOffset Now = new(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"properties":{"email":{"value":"a@b.example"}}}""");

    [Theory]
    [InlineData(-301, false)]
    [InlineData(301, false)]
    [InlineData(-299, true)]
    [InlineData(299, true)]
    [InlineData(0, true)]
    public void V3_TimestampWindow_SameForIntakeAndFeedback(int offsetSeconds, bool accepted)
    {
        var timestamp = Millis(Now.AddSeconds(offsetSeconds));
        var request = V3(Uri, HubSpotSignatures.SignV3(Secret, "POST", Uri, Body, timestamp), timestamp);

        Assert.Equal(accepted, Intake().Authenticate(request, Now).Authenticated);
        Assert.Equal(accepted ? HubSpotSignatureCheck.Valid : HubSpotSignatureCheck.Stale, Feedback().CheckSignature(request, Now));
    }

    [Fact]
    public void V3_UriWithEscapesHubSpotDecodes_AcceptedByIntakeAndFeedback()
    {
        const string received = "https://smarketing.example.net/api/leads/hubspot?next=%2Fa%3Ab%40c%21%24%27%28%29%2A%2C%3B&q=%20";
        const string signed = "https://smarketing.example.net/api/leads/hubspot?next=/a:b@c!$'()*,;&q=%20";
        var timestamp = Millis(Now);
        var request = V3(received, SignedOverDecodedForm(signed, timestamp), timestamp);

        Assert.True(Intake().Authenticate(request, Now).Authenticated);
        Assert.Equal(HubSpotSignatureCheck.Valid, Feedback().CheckSignature(request, Now));
    }

    [Fact]
    public void V3_SignatureWithSurroundingWhitespace_AcceptedByIntakeAndFeedback()
    {
        var timestamp = Millis(Now);
        var request = V3(Uri, " " + HubSpotSignatures.SignV3(Secret, "POST", Uri, Body, timestamp) + " ", timestamp);

        Assert.True(Intake().Authenticate(request, Now).Authenticated);
        Assert.Equal(HubSpotSignatureCheck.Valid, Feedback().CheckSignature(request, Now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("17e11")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public void V3_MalformedTimestamp_RefusedByIntakeAndFeedback(string timestamp)
    {
        var request = V3(Uri, HubSpotSignatures.SignV3(Secret, "POST", Uri, Body, timestamp), timestamp);

        Assert.False(Intake().Authenticate(request, Now).Authenticated);
        Assert.NotEqual(HubSpotSignatureCheck.Valid, Feedback().CheckSignature(request, Now));
    }

    [Fact]
    public void V2_AcceptedOnlyWhereTheIntakeOptsIn_NeverForFeedback()
    {
        var request = Request(Uri, new Dictionary<string, string>
        {
            [HubSpotSignatures.LegacyHeader] = HubSpotSignatures.SignV2(Secret, "POST", Uri, Body),
            [HubSpotSignatures.VersionHeader] = "v2",
        });

        Assert.True(Intake(allowV2: true).Authenticate(request, Now).Authenticated);
        Assert.False(Intake(allowV2: false).Authenticate(request, Now).Authenticated);
        Assert.Equal(HubSpotSignatureCheck.Missing, Feedback().CheckSignature(request, Now));
    }

    private static HubSpotLeadSource Intake(bool allowV2 = false) =>
        new(Options.Create(new HubSpotSourceOptions { ClientSecrets = Secret, AllowV2Signatures = allowV2 }), new LeadIds(Options.Create(new LeadIdOptions())));

    private static HubSpotWorkflowReader Feedback() => new(Options.Create(new HubSpotFeedbackOptions { ClientSecrets = Secret }));

    private static string Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    // Computed from the documented recipe, not by the code under test: HMAC-SHA256(secret, method + uri + body + timestamp).
    private static string SignedOverDecodedForm(string uri, string timestamp)
    {
        var content = Encoding.UTF8.GetBytes("POST" + uri).Concat(Body).Concat(Encoding.UTF8.GetBytes(timestamp)).ToArray();
        return Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), content));
    }

    private static WebhookRequest V3(string uri, string signature, string timestamp) => Request(uri, new Dictionary<string, string>
    {
        [HubSpotSignatures.V3Header] = signature,
        [HubSpotSignatures.TimestampHeader] = timestamp,
    });

    private static WebhookRequest Request(string uri, Dictionary<string, string> headers) => new()
    {
        Method = "POST",
        Uri = uri,
        Headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase),
        Body = Body,
    };
}
