using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;

namespace Coordinator.Hosting.Durable;

/// <summary>
/// Where the embedded sidecar listens: a Unix domain socket in a directory only the host's user may
/// enter (mode 700: <c>{data}/sidecar</c>, or a private temporary directory when that path is too long
/// for a socket), the socket itself mode 600. No TCP port: another local user's process cannot reach
/// the sidecar, whose gRPC API starts, raises events on and purges instances without the HTTP API key.
/// </summary>
public sealed class SidecarEndpoint
{
    // sun_path holds 108 bytes on Linux (104 on macOS) with the terminating NUL; keep below both.
    private const int MaxSocketPathBytes = 100;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly bool _ownsDirectory;

    private SidecarEndpoint(string socketPath, bool ownsDirectory)
    {
        SocketPath = socketPath;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>The socket file.</summary>
    public string SocketPath { get; }

    /// <summary>The address the gRPC channels name; their connections go to <see cref="SocketPath"/> whatever it says.</summary>
    public static Uri Address { get; } = new("http://localhost");

    /// <summary>A fresh socket path under <paramref name="dataPath"/> (its private <c>sidecar</c> directory, created if needed).</summary>
    public static SidecarEndpoint Create(string dataPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataPath);
        var directory = Path.Combine(Path.GetFullPath(dataPath), "sidecar");
        // Random, not fixed: two servers may share a data folder (each keeps its own socket).
        var name = $"durable-{RandomNumberGenerator.GetHexString(8, lowercase: true)}.sock";
        var path = Path.Combine(directory, name);
        if (Encoding.UTF8.GetByteCount(path) <= MaxSocketPathBytes)
        {
            CreatePrivateDirectory(directory);
            RemoveStaleSockets(directory);
            return new SidecarEndpoint(path, ownsDirectory: false);
        }

        // Created with mode 700 under a random name, so no other user can have prepared it.
        var temporary = Directory.CreateTempSubdirectory("coordinator-sidecar-").FullName;
        path = Path.Combine(temporary, name);
        if (Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
            throw new InvalidOperationException(
                $"Neither the data folder ({dataPath}) nor the temporary folder ({Path.GetTempPath()}) has a path short enough for the embedded sidecar's Unix socket; use a shorter --data or TMPDIR.");
        return new SidecarEndpoint(path, ownsDirectory: true);
    }

    /// <summary>A gRPC channel whose connections go to the socket.</summary>
    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress(Address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            // As GrpcChannel's own handler: the worker's work-item stream must not hold back other calls.
            EnableMultipleHttp2Connections = true,
            ConnectCallback = ConnectAsync,
        },
    });

    /// <summary>Makes the socket, bound by Kestrel, readable and writable by the host's user only.</summary>
    internal void Restrict()
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(SocketPath, SocketMode);
    }

    /// <summary>Removes the socket (and the temporary directory it was made in).</summary>
    internal void Remove()
    {
        try
        {
            File.Delete(SocketPath);
            if (_ownsDirectory)
                Directory.Delete(Path.GetDirectoryName(SocketPath)!, recursive: true);
        }
        catch (IOException)
        {
            // Left behind: the next start in this data folder removes a socket nobody listens on.
        }
    }

    public override string ToString() => $"unix:{SocketPath}";

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, DirectoryMode);
        // An existing directory keeps its mode: set it (this fails, and the host stops, if another user owns it).
        File.SetUnixFileMode(directory, DirectoryMode);
    }

    /// <summary>Deletes the sockets of servers that stopped without removing theirs (nothing accepts on them).</summary>
    private static void RemoveStaleSockets(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "durable-*.sock"))
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(file));
            }
            catch (SocketException)
            {
                File.Delete(file);
            }
        }
    }
}

/// <summary>Sets the socket's mode once Kestrel has bound it, and removes it when the host has stopped.</summary>
internal sealed class SidecarSocketLifetime(SidecarEndpoint endpoint) : IHostedLifecycleService
{
    // After every StartAsync, the web server's (which binds the socket) included.
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        endpoint.Restrict();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        endpoint.Remove();
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Marks the connections accepted on the sidecar's socket.</summary>
internal sealed class SidecarConnectionFeature
{
    public static readonly SidecarConnectionFeature Instance = new();
}

/// <summary>Marks the sidecar's gRPC endpoints: served on the sidecar's socket only.</summary>
internal sealed class SidecarOnlyMetadata
{
    public static readonly SidecarOnlyMetadata Instance = new();
}
