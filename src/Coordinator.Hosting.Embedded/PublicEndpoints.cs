using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Coordinator.Hosting;

/// <summary>One address the HTTP API listens on, parsed from <c>--urls</c> (semicolon-separated, http only).</summary>
public sealed record PublicEndpoints(string Url, string Host, int Port)
{
    public static IReadOnlyList<PublicEndpoints> Parse(string urls)
    {
        var list = new List<PublicEndpoints>();
        foreach (var part in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var normalized = part.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
                throw new ArgumentException($"'{part}' is not a URL the coordinator can listen on; use http://host:port, e.g. http://localhost:7071.");
            list.Add(new PublicEndpoints($"http://{uri.Host}:{uri.Port}", uri.Host, uri.Port));
        }
        if (list.Count == 0)
            throw new ArgumentException("--urls names no address; use e.g. http://localhost:7071.");
        return list;
    }

    public void Listen(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        if (Host == "localhost")
            kestrel.ListenLocalhost(Port);
        else if (Host == "0.0.0.0")
            kestrel.ListenAnyIP(Port);
        else if (IPAddress.TryParse(Host, out var address))
            kestrel.Listen(address, Port);
        else
            throw new ArgumentException($"Cannot listen on host '{Host}'; use localhost, an IP address or *.");
    }
}
