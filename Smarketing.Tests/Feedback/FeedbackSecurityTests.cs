using System.Text;
using Smarketing.Core.Intake;
using Smarketing.Core.Intake.HubSpot;
using Xunit;

namespace Smarketing.Tests.Feedback;

/// <summary>The shared-secret check and HubSpot's v3 signature, without HTTP.</summary>
public sealed class FeedbackSecurityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);
    private const string Secret = "5d0ce4a2-8f1b-4c3e-9a7d-2b6e1f0c9d84";
    private const string Uri = "https://smarketing.example.net/api/crm/feedback/hubspot?code=k";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"smarketing_lead_id":"lead-1","hs_lead_status":"UNQUALIFIED"}""");

    [Theory]
    [InlineData("secret-one-0000000001", true)]
    [InlineData("secret-two-0000000002", true)]
    [InlineData("secret-two-000000000", false)]
    [InlineData("secret-two-00000000022", false)]
    [InlineData("SECRET-ONE-0000000001", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void SharedSecret_MatchesOnlyAConfiguredSecretExactly(string? presented, bool expected) =>
        Assert.Equal(expected, SharedSecret.Matches(presented, ["secret-one-0000000001", "secret-two-0000000002"]));

    [Fact]
    public void HubSpotV3_SignatureComputedAsDocumented_Valid()
    {
        var timestamp = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = FeedbackTesting.SignV3(Secret, "POST", Uri, Encoding.UTF8.GetString(Body), timestamp);

        Assert.Equal(HubSpotSignatureCheck.Valid, Check([Secret], "POST", Uri, Body, signature, timestamp, Now));
    }

    [Fact]
    public void HubSpotV3_UriWithEscapesHubSpotDecodes_SignedOverTheDecodedForm()
    {
        const string received = "https://smarketing.example.net/api/crm/feedback/hubspot?next=%2Fa%3Ab%40c%21%24%27%28%29%2A%2C%3B&q=%20";
        const string signed = "https://smarketing.example.net/api/crm/feedback/hubspot?next=/a:b@c!$'()*,;&q=%20";
        var timestamp = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = FeedbackTesting.SignV3(Secret, "POST", signed, Encoding.UTF8.GetString(Body), timestamp);

        Assert.Equal(HubSpotSignatureCheck.Valid, Check([Secret], "POST", received, Body, signature, timestamp, Now));
    }

    [Theory]
    [InlineData(-301, HubSpotSignatureCheck.Stale)]
    [InlineData(301, HubSpotSignatureCheck.Stale)]
    [InlineData(-299, HubSpotSignatureCheck.Valid)]
    [InlineData(299, HubSpotSignatureCheck.Valid)]
    public void HubSpotV3_TimestampWindow_FiveMinutesEitherWay(int offsetSeconds, HubSpotSignatureCheck expected)
    {
        var timestamp = Now.AddSeconds(offsetSeconds).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = FeedbackTesting.SignV3(Secret, "POST", Uri, Encoding.UTF8.GetString(Body), timestamp);

        Assert.Equal(expected, Check([Secret], "POST", Uri, Body, signature, timestamp, Now));
    }

    [Theory]
    [InlineData(null, "1793872800000", HubSpotSignatureCheck.Missing)]
    [InlineData("c2lnbmF0dXJl", null, HubSpotSignatureCheck.Missing)]
    [InlineData("c2lnbmF0dXJl", "-5", HubSpotSignatureCheck.MalformedTimestamp)]
    [InlineData("c2lnbmF0dXJl", "99999999999999999999", HubSpotSignatureCheck.MalformedTimestamp)]
    [InlineData("not base64!", "1793872800000", HubSpotSignatureCheck.Mismatch)]
    [InlineData("c2lnbmF0dXJl", "1793872800000", HubSpotSignatureCheck.Mismatch)]
    public void HubSpotV3_MalformedHeaders_Refused(string? signature, string? timestamp, HubSpotSignatureCheck expected) =>
        Assert.Equal(expected, Check([Secret], "POST", Uri, Body, signature, timestamp, Now));

    [Fact]
    public void HubSpotV3_OneByteOfTheBodyChanged_Mismatch()
    {
        var timestamp = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = FeedbackTesting.SignV3(Secret, "POST", Uri, Encoding.UTF8.GetString(Body), timestamp);
        var tampered = (byte[])Body.Clone();
        tampered[^3] ^= 1;

        Assert.Equal(HubSpotSignatureCheck.Mismatch, Check([Secret], "POST", Uri, tampered, signature, timestamp, Now));
    }

    // The feedback endpoint's check: the one HubSpot verifier, v2 never allowed.
    private static HubSpotSignatureCheck Check(IReadOnlyList<string> secrets, string method, string uri, byte[] body, string? signature, string? timestamp, DateTimeOffset now)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (signature is not null)
        {
            headers[HubSpotSignatures.V3Header] = signature;
        }

        if (timestamp is not null)
        {
            headers[HubSpotSignatures.TimestampHeader] = timestamp;
        }

        return HubSpotSignatures.Check(new WebhookRequest { Method = method, Uri = uri, Headers = headers, Body = body }, secrets, now, allowV2: false);
    }
}
