using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Coordinator.Hosting.Inbox;

/// <summary>
/// The inbox's stylesheet (inbox.css, embedded in this assembly, so it is there wherever the host runs
/// from), served at <see cref="Path"/>. The pages link it with its content hash (<see cref="Href"/>), so
/// it can be cached for long and a new version is fetched at once.
/// </summary>
internal static class InboxStyles
{
    public const string Path = "/inbox/inbox.css";
    private const string ResourceName = "Coordinator.Hosting.Inbox.inbox.css";

    private static readonly Lazy<(byte[] Content, string Version)> Stylesheet = new(() =>
    {
        using var stream = typeof(InboxStyles).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        return (content, Convert.ToHexStringLower(SHA256.HashData(content))[..16]);
    });

    /// <summary>The stylesheet's link: <c>/inbox/inbox.css?v=0123456789abcdef</c>.</summary>
    public static string Href => Path + "?v=" + Stylesheet.Value.Version;

    /// <summary>The stylesheet: cached for a year when asked for by its current version, else revalidated.</summary>
    public static IResult Serve(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (content, version) = Stylesheet.Value;
        context.Response.Headers.CacheControl = context.Request.Query["v"] == version ? "public, max-age=31536000, immutable" : "no-cache";
        return Results.Bytes(content, "text/css; charset=utf-8");
    }
}
