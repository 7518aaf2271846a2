using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Coordinator.Hosting.Durable;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>
/// The embedded Durable sidecar of <c>coordinator serve</c> is reachable only through its Unix socket
/// (mode 600, in a private directory of the data folder): it has no TCP port, and its gRPC service is
/// not answered on any TCP endpoint of the server, not even one that speaks HTTP/2, whatever the Host.
/// The server here has such an extra HTTP/2 endpoint (<see cref="Http2EndpointServerFixture"/>).
/// </summary>
public sealed class ServeSidecarSocketTests(ServeSidecarSocketTests.Http2EndpointServerFixture server) : IClassFixture<ServeSidecarSocketTests.Http2EndpointServerFixture>
{
    private SidecarEndpoint Sidecar => server.Server.Services.GetRequiredService<SidecarEndpoint>();

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Serve_Sidecar_ListensOnAMode600SocketInAPrivateDirectoryOfTheDataFolderAndOnNoTcpPort()
    {
        var socket = Sidecar.SocketPath;
        var directory = Path.GetDirectoryName(socket)!;

        Assert.Equal(Path.Combine(server.DataPath, "sidecar"), directory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        // Every address Kestrel bound: the public URL, the extra HTTP/2 endpoint of this fixture and the socket; no other port.
        Assert.Equal(
            new[] { server.BaseAddress.ToString().TrimEnd('/'), $"http://127.0.0.1:{server.Http2Port}", $"http://unix:{socket}" }.Order(),
            server.Server.App.Urls.Order());
    }

    [Fact]
    public async Task Serve_GrpcCallToTheSidecarOnATcpHttp2Endpoint_IsRefusedWhileTheSameCallOnTheSocketIsAnswered()
    {
        using var socketChannel = Sidecar.CreateChannel();
        using var tcpChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Http2Port}");
        var viaSocket = new TaskHubSidecarService.TaskHubSidecarServiceClient(socketChannel);
        var viaTcp = new TaskHubSidecarService.TaskHubSidecarServiceClient(tcpChannel);

        await viaSocket.HelloAsync(new Empty(), deadline: DateTime.UtcNow.AddSeconds(30));
        var hello = await Assert.ThrowsAsync<RpcException>(async () =>
            await viaTcp.HelloAsync(new Empty(), deadline: DateTime.UtcNow.AddSeconds(30)));
        var read = await Assert.ThrowsAsync<RpcException>(async () =>
            await viaTcp.GetInstanceAsync(new GetInstanceRequest { InstanceId = "nobody-may-read-this" }, deadline: DateTime.UtcNow.AddSeconds(30)));

        // Grpc.Net.Client reports the 404 as Unimplemented: the service is not there on this connection.
        Assert.Equal(StatusCode.Unimplemented, hello.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, read.StatusCode);
    }

    [Fact]
    public async Task Serve_RawHttp2GrpcRequestWithAnyHostOnATcpEndpoint_Gets404()
    {
        using var http = new HttpClient();
        foreach (var host in new[] { $"127.0.0.1:{server.Http2Port}", "localhost", "127.0.0.1:1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{server.Http2Port}/{TaskHubSidecarService.Descriptor.FullName}/Hello")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                // One gRPC message frame: not compressed, length 0 (an empty Hello request).
                Content = new ByteArrayContent(new byte[5]) { Headers = { { "Content-Type", "application/grpc" } } },
            };
            request.Headers.Host = host;
            request.Headers.Add("TE", "trailers");

            using var response = await http.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"Host {host}: {(int)response.StatusCode} {response.Headers} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Serve_ApiOnTheSidecarSocket_IsNotServed()
    {
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = ConnectToSidecarAsync })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var health = await http.GetAsync(new Uri("http://localhost/healthz"));

        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
    }

    [Fact]
    public async Task Serve_SidecarOnTheSocket_RunsAWorkflowThroughTheApi()
    {
        var instanceId = await server.StartAsync("b2b-onboarding", "SIDECAR-SOCKET-1", new { deal_owner = "sales.rep", segment = "smb" });

        await MemoryServerFixture.UntilAsync(
            async () => (await server.GetInstanceAsync(instanceId)).GetProperty("steps").GetArrayLength() > 0,
            "the instance's first steps through the sidecar");
    }

    private async ValueTask<Stream> ConnectToSidecarAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(Sidecar.SocketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The in-memory server with an extra loopback endpoint that speaks HTTP/2 only (cleartext, prior knowledge), as gRPC does.</summary>
    public sealed class Http2EndpointServerFixture : MemoryServerFixture
    {
        public int Http2Port { get; } = ThrowawayAzurite.FreePort();

        protected override void Configure(WebApplicationBuilder builder) =>
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Http2Port, listen => listen.Protocols = HttpProtocols.Http2));
    }
}
