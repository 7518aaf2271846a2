using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Coordinator.Hosting.Tests.Support;

/// <summary>An HTTP/1.1 answer read off a raw socket.</summary>
public sealed record RawHttpResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? ContentType => Headers.GetValueOrDefault("content-type");

    /// <summary>The body as JSON (problem details); fails with the raw answer when it is not JSON.</summary>
    public JsonElement Json()
    {
        try
        {
            return JsonDocument.Parse(Body).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"Expected a JSON body, got {StatusCode} with '{Body}': {e.Message}");
        }
    }

    public override string ToString() => $"{StatusCode} {ContentType}: {Body}";
}

/// <summary>
/// Sends bytes exactly as given over a TCP connection and reads the answer: for what HttpClient will not
/// send (bad chunk framing, bytes that are not UTF-8, oversize request lines and headers).
/// </summary>
public static class RawHttp
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A request head (request line and headers, <c>Host</c> and <c>Connection: close</c> added) followed by <paramref name="body"/> as given.</summary>
    public static Task<RawHttpResponse> SendAsync(Uri server, string method, string target, IEnumerable<string> headers, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(server);
        var head = new StringBuilder()
            .Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(server.Authority).Append("\r\n")
            .Append("Connection: close\r\n");
        foreach (var header in headers)
            head.Append(header).Append("\r\n");
        head.Append("\r\n");
        return SendAsync(server, [.. Encoding.ASCII.GetBytes(head.ToString()), .. body]);
    }

    /// <summary>Sends <paramref name="request"/> and reads the answer until the server closes the connection (the request says <c>Connection: close</c>).</summary>
    public static async Task<RawHttpResponse> SendAsync(Uri server, byte[] request)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var cts = new CancellationTokenSource(Timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cts.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cts.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (an oversize request line): read what it said.
        }
        // No half-close: Kestrel takes the end of the client's stream for an aborted request and answers nothing.
        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, cts.Token);
        }
        catch (IOException) when (received.Length > 0)
        {
            // A reset after the answer (the server closed with unread request bytes): the answer is complete.
        }
        return Parse(received.ToArray());
    }

    private static RawHttpResponse Parse(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            throw new Xunit.Sdk.XunitException($"No complete HTTP answer ({bytes.Length} bytes): '{text}'");
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var body = bytes.AsSpan(Encoding.Latin1.GetByteCount(text[..(end + 4)])).ToArray();
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            body = Unchunk(body);
        return new RawHttpResponse(status, headers, Encoding.UTF8.GetString(body));
    }

    private static byte[] Unchunk(byte[] body)
    {
        using var output = new MemoryStream();
        var position = 0;
        while (true)
        {
            var lineEnd = body.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
                throw new Xunit.Sdk.XunitException("The answer's chunked body is cut short.");
            var sizeText = Encoding.ASCII.GetString(body, position, lineEnd).Split(';')[0];
            var size = Convert.ToInt32(sizeText, 16);
            position += lineEnd + 2;
            if (size == 0)
                return output.ToArray();
            output.Write(body, position, size);
            position += size + 2;
        }
    }
}
