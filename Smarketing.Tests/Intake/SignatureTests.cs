using System.Text;
using Smarketing.Core.Intake;
using Smarketing.Core.Intake.Generic;
using Smarketing.Core.Intake.HubSpot;
using Xunit;

namespace Smarketing.Tests.Intake;

public sealed class StandardWebhooksTests
{
    // The Standard Webhooks specification's own example.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecPayload = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly DateTimeOffset SpecNow = DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp);

    private static byte[] Key(string secret = SpecSecret)
    {
        Assert.True(StandardWebhooks.TryDecodeSecret(secret, out var key));
        return key;
    }

    private static WebhookRequest Request(string body = SpecPayload, string? id = SpecId, string? timestamp = "1614265330", string? signature = SpecSignature)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (id is not null)
        {
            headers[StandardWebhooks.IdHeader] = id;
        }

        if (timestamp is not null)
        {
            headers[StandardWebhooks.TimestampHeader] = timestamp;
        }

        if (signature is not null)
        {
            headers[StandardWebhooks.SignatureHeader] = signature;
        }

        return new WebhookRequest { Method = "POST", Uri = "https://example.com/api/leads", Headers = headers, Body = Encoding.UTF8.GetBytes(body) };
    }

    [Fact]
    public void Sign_SpecExample_GivesTheSpecSignature()
    {
        Assert.Equal(SpecSignature, StandardWebhooks.Sign(Key(), SpecId, SpecTimestamp, Encoding.UTF8.GetBytes(SpecPayload)));
    }

    [Fact]
    public void Verify_SpecExample_AuthenticWithItsId()
    {
        var result = StandardWebhooks.Verify(Request(), [Key()], SpecNow);

        Assert.True(result.Authenticated, result.Failure);
        Assert.Equal(SpecId, result.DeliveryId);
    }

    [Fact]
    public void Verify_SecretWithoutPrefix_SameKey()
    {
        Assert.True(StandardWebhooks.Verify(Request(), [Key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")], SpecNow).Authenticated);
    }

    [Fact]
    public void Verify_TamperedBody_Refused()
    {
        Assert.False(StandardWebhooks.Verify(Request(body: "{\"test\": 2432232315}"), [Key()], SpecNow).Authenticated);
    }

    [Fact]
    public void Verify_TamperedId_Refused()
    {
        Assert.False(StandardWebhooks.Verify(Request(id: "msg_other"), [Key()], SpecNow).Authenticated);
    }

    [Fact]
    public void Verify_WrongSecret_Refused()
    {
        var result = StandardWebhooks.Verify(Request(), [Key("whsec_" + Convert.ToBase64String(new byte[24]))], SpecNow);

        Assert.False(result.Authenticated);
        Assert.Contains("matches an active secret", result.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_TimestampOutsideFiveMinutes_Refused(int offsetSeconds)
    {
        var result = StandardWebhooks.Verify(Request(), [Key()], SpecNow.AddSeconds(-offsetSeconds));

        Assert.False(result.Authenticated);
        Assert.Contains("5 minutes", result.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void Verify_TimestampInsideFiveMinutes_Authentic(int offsetSeconds)
    {
        Assert.True(StandardWebhooks.Verify(Request(), [Key()], SpecNow.AddSeconds(offsetSeconds)).Authenticated);
    }

    [Theory]
    [InlineData(null, "1614265330", SpecSignature)]
    [InlineData(SpecId, null, SpecSignature)]
    [InlineData(SpecId, "1614265330", null)]
    [InlineData(SpecId, "16142653.30", SpecSignature)]
    [InlineData(SpecId, "-1614265330", SpecSignature)]
    [InlineData(SpecId, "99999999999999999999999", SpecSignature)]
    [InlineData(SpecId, "1614265330", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData(SpecId, "1614265330", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData(SpecId, "1614265330", "v1,not base64!")]
    [InlineData(SpecId, "1614265330", "v1,")]
    [InlineData(SpecId, "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O==")]
    [InlineData(SpecId, "1614265330", ",,, ,")]
    public void Verify_MalformedHeaders_Refused(string? id, string? timestamp, string? signature)
    {
        Assert.False(StandardWebhooks.Verify(Request(id: id, timestamp: timestamp, signature: signature), [Key()], SpecNow).Authenticated);
    }

    [Fact]
    public void Verify_RotatedKeys_EitherActiveSecretAndAnyListedSignaturePasses()
    {
        var oldKey = Key();
        var newKey = Key("whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()));
        var body = Encoding.UTF8.GetBytes(SpecPayload);
        var byNew = StandardWebhooks.Sign(newKey, SpecId, SpecTimestamp, body);

        // The sender signs with both keys during the rotation; the receiver has only the new one.
        var both = Request(signature: $"{SpecSignature} {byNew}");
        Assert.True(StandardWebhooks.Verify(both, [newKey], SpecNow).Authenticated);

        // The sender still signs with the old key only; the receiver has both active.
        Assert.True(StandardWebhooks.Verify(Request(), [newKey, oldKey], SpecNow).Authenticated);

        // Once the old key is retired, its signature no longer passes.
        Assert.False(StandardWebhooks.Verify(Request(), [newKey], SpecNow).Authenticated);
    }

    [Theory]
    [InlineData("whsec_")]
    [InlineData("whsec_not*base64")]
    [InlineData("")]
    public void TryDecodeSecret_NotASecret_False(string secret)
    {
        Assert.False(StandardWebhooks.TryDecodeSecret(secret, out _));
    }
}

public sealed class HubSpotSignaturesTests
{
    // HubSpot's documented v2 example (GET, no body).
    private const string DocSecret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    private const string DocUri = "https://www.example.com/webhook_uri";
    private const string DocV2Hash = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e";

    // v3 over the documented request with a POST body and a fixed timestamp, computed independently with
    // printf 'POSThttps://www.example.com/webhook_uri{"example_field":"example_value"}1700000000000' |
    //   openssl dgst -sha256 -hmac yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy -binary | base64
    private const string V3Body = "{\"example_field\":\"example_value\"}";
    private const string V3Timestamp = "1700000000000";
    private const string V3Signature = "rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=";
    private static readonly DateTimeOffset V3Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static WebhookRequest Request(string method, string uri, string body, IDictionary<string, string> headers) => new()
    {
        Method = method,
        Uri = uri,
        Headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase),
        Body = Encoding.UTF8.GetBytes(body),
    };

    private static WebhookRequest V3Request(string body = V3Body, string timestamp = V3Timestamp, string signature = V3Signature, string uri = DocUri) =>
        Request("POST", uri, body, new Dictionary<string, string> { [HubSpotSignatures.V3Header] = signature, [HubSpotSignatures.TimestampHeader] = timestamp });

    [Fact]
    public void SignV2_DocumentedExample_GivesTheDocumentedHash()
    {
        Assert.Equal(DocV2Hash, HubSpotSignatures.SignV2(DocSecret, "GET", DocUri, []));
    }

    [Fact]
    public void Verify_DocumentedV2Example_AuthenticOnlyWhenV2IsAllowed()
    {
        var request = Request("GET", DocUri, string.Empty, new Dictionary<string, string>
        {
            [HubSpotSignatures.LegacyHeader] = DocV2Hash,
            [HubSpotSignatures.VersionHeader] = "v2",
        });

        Assert.True(HubSpotSignatures.Verify(request, [DocSecret], V3Now, allowV2: true).Authenticated);
        Assert.False(HubSpotSignatures.Verify(request, [DocSecret], V3Now, allowV2: false).Authenticated);
    }

    [Fact]
    public void SignV3_DocumentedRequest_MatchesOpenSsl()
    {
        Assert.Equal(V3Signature, HubSpotSignatures.SignV3(DocSecret, "POST", DocUri, Encoding.UTF8.GetBytes(V3Body), V3Timestamp));
    }

    [Fact]
    public void Verify_V3_Authentic()
    {
        var result = HubSpotSignatures.Verify(V3Request(), [DocSecret], V3Now, allowV2: false);

        Assert.True(result.Authenticated, result.Failure);
    }

    [Fact]
    public void Verify_V3TamperedBody_Refused()
    {
        Assert.False(HubSpotSignatures.Verify(V3Request(body: V3Body.Replace("value", "valve", StringComparison.Ordinal)), [DocSecret], V3Now, false).Authenticated);
    }

    [Fact]
    public void Verify_V3WrongSecret_Refused()
    {
        Assert.False(HubSpotSignatures.Verify(V3Request(), ["zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"], V3Now, false).Authenticated);
    }

    [Fact]
    public void Verify_V3RotatedSecrets_AnyActiveSecretPasses()
    {
        Assert.True(HubSpotSignatures.Verify(V3Request(), ["zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", DocSecret], V3Now, false).Authenticated);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(-301)]
    public void Verify_V3TimestampOutsideFiveMinutes_Refused(int offsetSeconds)
    {
        Assert.False(HubSpotSignatures.Verify(V3Request(), [DocSecret], V3Now.AddSeconds(offsetSeconds), false).Authenticated);
    }

    [Theory]
    [InlineData("")]
    [InlineData("17e11")]
    [InlineData("-1")]
    [InlineData("999999999999999999999")]
    public void Verify_V3MalformedTimestamp_Refused(string timestamp)
    {
        Assert.False(HubSpotSignatures.Verify(V3Request(timestamp: timestamp), [DocSecret], V3Now, false).Authenticated);
    }

    [Fact]
    public void Verify_NoSignatureHeaders_Refused()
    {
        var request = Request("POST", DocUri, V3Body, new Dictionary<string, string>());

        Assert.False(HubSpotSignatures.Verify(request, [DocSecret], V3Now, allowV2: true).Authenticated);
    }

    [Fact]
    public void CanonicalUri_PercentEncodedReservedCharacters_DecodedAsHubSpotSigns()
    {
        Assert.Equal(
            "https://example.com/api/leads/hubspot?code=a:b/c?d@e!f$g'h(i)j*k,l;m",
            HubSpotSignatures.CanonicalUri("https://example.com/api/leads/hubspot?code=a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm"));
    }
}

public sealed class SharedSecretTests
{
    private static WebhookRequest Request(string? secret) => new()
    {
        Method = "POST",
        Uri = "https://example.com/api/leads/marketo",
        Headers = secret is null ? new Dictionary<string, string>() : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["X-Smarketing-Secret"] = secret },
        Body = "{}"u8.ToArray(),
    };

    [Theory]
    [InlineData("current-secret-0123456789", true)]
    [InlineData("previous-secret-0123456789", true)]
    [InlineData("current-secret-012345678", false)]
    [InlineData("CURRENT-SECRET-0123456789", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Verify_AgainstRotatedSecrets_OnlyAnActiveSecretPasses(string? given, bool expected)
    {
        var result = SharedSecret.Verify(Request(given), "x-smarketing-secret", ["current-secret-0123456789", "previous-secret-0123456789"]);

        Assert.Equal(expected, result.Authenticated);
    }
}
