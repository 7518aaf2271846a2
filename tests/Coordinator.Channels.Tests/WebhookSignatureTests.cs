using System.Security.Cryptography;
using System.Text;
using Coordinator.Channels.Webhooks;

namespace Coordinator.Channels.Tests;

/// <summary>The providers' published vectors (../shared/test-vectors/webhook-signatures.md) and every negative.</summary>
public sealed class WebhookSignatureTests
{
    private const string SlackSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string SlackTimestamp = "1531420618";
    private const string SlackSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private const string SlackBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private static readonly DateTimeOffset SlackNow = DateTimeOffset.FromUnixTimeSeconds(1531420618 + 30);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void VerifySlack_PublishedVector_IsAccepted()
    {
        var verdict = WebhookSignatures.VerifySlack(SlackSecret, SlackTimestamp, SlackSignature, Bytes(SlackBody), SlackNow);

        Assert.True(verdict.Accepted, verdict.Reason);
    }

    [Fact]
    public void VerifySlack_OneChangedByteOfTheBody_IsRefused()
    {
        var body = Bytes(SlackBody);
        body[^1] ^= 1;

        var verdict = WebhookSignatures.VerifySlack(SlackSecret, SlackTimestamp, SlackSignature, body, SlackNow);

        Assert.False(verdict.Accepted);
        Assert.Contains("does not match", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, SlackSignature, "missing X-Slack-Request-Timestamp")]
    [InlineData(SlackTimestamp, null, "missing X-Slack-Signature")]
    [InlineData("", SlackSignature, "missing X-Slack-Request-Timestamp")]
    [InlineData("yesterday", SlackSignature, "not a Unix time")]
    [InlineData(SlackTimestamp, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504", "does not match")]
    [InlineData(SlackTimestamp, "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", "does not match")]
    [InlineData("1531420619", SlackSignature, "does not match")] // the timestamp is signed too
    public void VerifySlack_MissingOrWrongHeaders_AreRefused(string? timestamp, string? signature, string reason)
    {
        var verdict = WebhookSignatures.VerifySlack(SlackSecret, timestamp, signature, Bytes(SlackBody), SlackNow);

        Assert.False(verdict.Accepted);
        Assert.Contains(reason, verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifySlack_WrongSecret_IsRefused()
    {
        var verdict = WebhookSignatures.VerifySlack("8f742231b10e8888abcd99yyyzzz85a6", SlackTimestamp, SlackSignature, Bytes(SlackBody), SlackNow);

        Assert.False(verdict.Accepted);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(86400)]
    public void VerifySlack_TimestampMoreThanFiveMinutesOff_IsRefusedEvenWhenSigned(int skewSeconds)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1531420618 + skewSeconds);

        var verdict = WebhookSignatures.VerifySlack(SlackSecret, SlackTimestamp, SlackSignature, Bytes(SlackBody), now);

        Assert.False(verdict.Accepted);
        Assert.Contains("timestamp", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void VerifySlack_TimestampWithinFiveMinutes_IsAccepted(int skewSeconds)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1531420618 + skewSeconds);

        Assert.True(WebhookSignatures.VerifySlack(SlackSecret, SlackTimestamp, SlackSignature, Bytes(SlackBody), now).Accepted);
    }

    [Theory]
    [InlineData("s3cret_Token-1", true)]
    [InlineData("s3cret_Token-2", false)]
    [InlineData("s3cret_Token-1 ", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void VerifyTelegram_SecretToken_MustBeTheConfiguredOne(string? header, bool accepted)
    {
        Assert.Equal(accepted, WebhookSignatures.VerifyTelegram("s3cret_Token-1", header).Accepted);
    }

    [Fact]
    public void VerifyHubSpotV3_SignatureOverMethodDecodedUriBodyAndTimestamp_IsAccepted()
    {
        // Computed independently here from HubSpot's documented recipe (no published vector exists).
        var uri = new Uri("https://coordinator.example.com/api/webhooks/hubspot?portal=Acme%20Spa");
        const string body = "[{\"eventId\":1,\"subscriptionType\":\"deal.propertyChange\"}]";
        var now = new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
        var timestamp = now.AddSeconds(-10).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Bytes("client-secret"),
            Bytes("POST" + "https://coordinator.example.com/api/webhooks/hubspot?portal=Acme Spa" + body + timestamp)));

        Assert.True(WebhookSignatures.VerifyHubSpotV3("client-secret", "POST", uri, timestamp, signature, Bytes(body), now).Accepted);
        Assert.False(WebhookSignatures.VerifyHubSpotV3("client-secret", "POST", uri, timestamp, signature, Bytes(body + " "), now).Accepted);
        Assert.False(WebhookSignatures.VerifyHubSpotV3("other-secret", "POST", uri, timestamp, signature, Bytes(body), now).Accepted);
        Assert.False(WebhookSignatures.VerifyHubSpotV3("client-secret", "POST", uri, timestamp, signature, Bytes(body), now.AddMinutes(6)).Accepted);
        Assert.False(WebhookSignatures.VerifyHubSpotV3("client-secret", "POST", uri, null, signature, Bytes(body), now).Accepted);
    }
}
