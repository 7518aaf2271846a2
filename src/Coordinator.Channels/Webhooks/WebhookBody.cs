using Microsoft.AspNetCore.Http;

namespace Coordinator.Channels.Webhooks;

/// <summary>Reading a webhook's raw body (its signature is over the exact bytes) within a bound.</summary>
public static class WebhookBody
{
    /// <summary>The providers' payloads are a few KiB; anything far larger is not theirs.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>The whole body, or null when it is longer than <see cref="MaxBytes"/> (declared or read; nothing more is read).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
            return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
