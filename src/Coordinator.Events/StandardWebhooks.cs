using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coordinator.Channels.Webhooks;

namespace Coordinator.Events;

/// <summary>The three headers of a Standard Webhooks signature.</summary>
/// <param name="Id">The message id (<c>webhook-id</c>): the same on every retry, so a receiver deduplicates on it.</param>
/// <param name="Timestamp">Unix seconds (<c>webhook-timestamp</c>).</param>
/// <param name="Signature"><c>webhook-signature</c>: <c>v1,&lt;Base64&gt;</c>, possibly several separated by spaces.</param>
public sealed record WebhookSignatureHeaders(string Id, string Timestamp, string Signature);

/// <summary>
/// The Standard Webhooks signature (standardwebhooks.com, version 1), which the coordinator's CloudEvents carry both
/// ways: <c>webhook-signature: v1,&lt;Base64 HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}"&gt;</c>, keyed
/// with the secret's bytes (<c>whsec_&lt;Base64&gt;</c>, the Base64 decoded). A receiver accepts a request when any
/// <c>v1</c> signature of the header matches (a sender rotating its secret signs with both), compared in constant
/// time, and refuses a timestamp more than five minutes from its clock (a replay).
/// </summary>
public static class StandardWebhooks
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The prefix of a Standard Webhooks secret.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>The key bytes of a <c>whsec_&lt;Base64&gt;</c> secret; null when it is not one (no prefix, not Base64, empty).</summary>
    public static byte[]? ParseSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
            return null;
        var encoded = secret[SecretPrefix.Length..];
        var buffer = new byte[encoded.Length];
        return encoded.Length > 0 && Convert.TryFromBase64String(encoded, buffer, out var written) && written > 0 ? buffer[..written] : null;
    }

    /// <summary>The <c>v1,&lt;Base64&gt;</c> signature of <paramref name="body"/> sent as message <paramref name="id"/> at <paramref name="timestamp"/>.</summary>
    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(id);
        return "v1," + Convert.ToBase64String(Mac(key, id, timestamp.ToString(CultureInfo.InvariantCulture), body));
    }

    /// <summary>The three headers for sending <paramref name="body"/> as message <paramref name="id"/> now.</summary>
    public static WebhookSignatureHeaders Headers(byte[] key, string id, DateTimeOffset now, ReadOnlySpan<byte> body)
    {
        var timestamp = now.ToUnixTimeSeconds();
        return new WebhookSignatureHeaders(id, timestamp.ToString(CultureInfo.InvariantCulture), Sign(key, id, timestamp, body));
    }

    /// <summary>
    /// Checks a request's headers against its raw body, before anything parses it. The reason of a refusal names the
    /// header at fault, never the body.
    /// </summary>
    public static WebhookVerdict Verify(byte[] key, string? id, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (string.IsNullOrEmpty(id))
            return WebhookVerdict.Deny("missing webhook-id");
        if (string.IsNullOrEmpty(timestamp))
            return WebhookVerdict.Deny("missing webhook-timestamp");
        if (string.IsNullOrEmpty(signature))
            return WebhookVerdict.Deny("missing webhook-signature");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
            return WebhookVerdict.Deny("webhook-timestamp is not a Unix time in seconds");
        if (WebhookSignatures.Stale(DateTimeOffset.FromUnixTimeSeconds(seconds), now) is { } stale)
            return WebhookVerdict.Deny("webhook-timestamp: " + stale);
        var expected = Mac(key, id, timestamp, body);
        var matched = false;
        Span<byte> given = stackalloc byte[64];
        foreach (var candidate in signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Every candidate is compared (no early exit), each in constant time.
            if (candidate.StartsWith("v1,", StringComparison.Ordinal)
                && Convert.TryFromBase64String(candidate[3..], given, out var written)
                && CryptographicOperations.FixedTimeEquals(expected, given[..written]))
            {
                matched = true;
            }
        }
        return matched ? WebhookVerdict.Accept : WebhookVerdict.Deny("webhook-signature has no v1 signature that matches the body with the configured secret");
    }

    private static byte[] Mac(byte[] key, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, message);
    }
}
