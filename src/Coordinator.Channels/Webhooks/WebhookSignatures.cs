using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coordinator.Channels.Webhooks;

/// <summary>Why a webhook request was refused (never the body): goes to the <c>webhook.denied</c> audit row.</summary>
public sealed record WebhookVerdict(bool Accepted, string? Reason)
{
    public static WebhookVerdict Accept { get; } = new(true, null);

    public static WebhookVerdict Deny(string reason) => new(false, reason);
}

/// <summary>
/// The providers' request authentication, as each documents it, comparing in constant time. Each check runs on the
/// raw body before anything parses it.
/// </summary>
public static class WebhookSignatures
{
    /// <summary>How far a signed timestamp may be from the host's clock (Slack's and HubSpot's five minutes).</summary>
    public static TimeSpan MaxSkew { get; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Slack's v0 signature: <c>X-Slack-Signature</c> = <c>v0=</c> + hex HMAC-SHA256 of <c>v0:{timestamp}:{raw body}</c>
    /// keyed with the signing secret; <c>X-Slack-Request-Timestamp</c> (Unix seconds) within five minutes of <paramref name="now"/>.
    /// </summary>
    public static WebhookVerdict VerifySlack(string signingSecret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingSecret);
        if (string.IsNullOrEmpty(timestamp))
            return WebhookVerdict.Deny("missing X-Slack-Request-Timestamp");
        if (string.IsNullOrEmpty(signature))
            return WebhookVerdict.Deny("missing X-Slack-Signature");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
            return WebhookVerdict.Deny("X-Slack-Request-Timestamp is not a Unix time");
        if (Stale(DateTimeOffset.FromUnixTimeSeconds(seconds), now) is { } stale)
            return WebhookVerdict.Deny(stale);
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        var expected = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), message));
        return FixedTimeEquals(expected, signature) ? WebhookVerdict.Accept : WebhookVerdict.Deny("X-Slack-Signature does not match the body");
    }

    /// <summary>Telegram's <c>X-Telegram-Bot-Api-Secret-Token</c>: the secret given to <c>setWebhook</c>, compared in constant time.</summary>
    public static WebhookVerdict VerifyTelegram(string webhookSecret, string? header)
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookSecret);
        if (string.IsNullOrEmpty(header))
            return WebhookVerdict.Deny("missing X-Telegram-Bot-Api-Secret-Token");
        return FixedTimeEquals(webhookSecret, header) ? WebhookVerdict.Accept : WebhookVerdict.Deny("X-Telegram-Bot-Api-Secret-Token is not the configured secret");
    }

    /// <summary>
    /// HubSpot's v3 signature: <c>X-HubSpot-Signature-v3</c> = Base64 HMAC-SHA256 of <c>method + uri + body + timestamp</c>
    /// keyed with the app's client secret, <paramref name="publicUri"/> being the URL HubSpot called with its
    /// percent-encoded characters decoded; <c>X-HubSpot-Request-Timestamp</c> (Unix milliseconds) not older than five minutes.
    /// </summary>
    public static WebhookVerdict VerifyHubSpotV3(string clientSecret, string method, Uri publicUri, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(publicUri);
        if (string.IsNullOrEmpty(timestamp))
            return WebhookVerdict.Deny("missing X-HubSpot-Request-Timestamp");
        if (string.IsNullOrEmpty(signature))
            return WebhookVerdict.Deny("missing X-HubSpot-Signature-v3");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds > 253402300799999)
            return WebhookVerdict.Deny("X-HubSpot-Request-Timestamp is not a Unix time in milliseconds");
        if (Stale(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), now) is { } stale)
            return WebhookVerdict.Deny(stale);
        var head = Encoding.UTF8.GetBytes(method.ToUpperInvariant() + Uri.UnescapeDataString(publicUri.AbsoluteUri));
        var tail = Encoding.UTF8.GetBytes(timestamp);
        var message = new byte[head.Length + body.Length + tail.Length];
        head.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(head.Length));
        tail.CopyTo(message, head.Length + body.Length);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), message));
        return FixedTimeEquals(expected, signature) ? WebhookVerdict.Accept : WebhookVerdict.Deny("X-HubSpot-Signature-v3 does not match the request");
    }

    /// <summary>Compares two secrets or signatures in time that does not depend on where they differ.</summary>
    public static bool FixedTimeEquals(string expected, string actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
    }

    /// <summary>Why a request signed at <paramref name="signedAt"/> is refused as stale (more than <see cref="MaxSkew"/> from <paramref name="now"/>, either way); null when it is fresh.</summary>
    public static string? Stale(DateTimeOffset signedAt, DateTimeOffset now)
    {
        var skew = now - signedAt;
        return skew.Duration() > MaxSkew
            ? string.Create(CultureInfo.InvariantCulture, $"the request's timestamp is {Math.Round(skew.Duration().TotalMinutes)} minutes from this host's clock (more than 5); a replayed request, or this host's clock is wrong")
            : null;
    }
}
