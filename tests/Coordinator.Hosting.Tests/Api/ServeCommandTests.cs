using System.Net;
using System.Text.RegularExpressions;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Tests.Durability;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Api;

/// <summary><c>coordinator serve</c> as a process (in-memory backend): what it does at start-up with definitions and the API key.</summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("coordinator-serve-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string DataPath => Path.Combine(_folder.FullName, "data");

    private string[] Arguments(int port, string? definitions = null) =>
    [
        "--backend", "memory", "--urls", $"http://127.0.0.1:{port}",
        "--definitions", definitions ?? RepositoryPaths.Definitions, "--data", DataPath,
    ];

    [Fact]
    public async Task Serve_DefinitionWithErrors_RefusesToStartNamingFileLineAndColumnAndWritesNothing()
    {
        var definitions = Directory.CreateDirectory(Path.Combine(_folder.FullName, "definitions")).FullName;
        await File.WriteAllTextAsync(Path.Combine(definitions, "broken.yaml"), "schema: coordinator/v1\nid: broken\nversion: 1\nstepz: []\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServeProcess.StartAsync(Arguments(ThrowawayAzurite.FreePort(), definitions), new Dictionary<string, string>(), StartTimeout));

        Assert.Contains("exited with code 1 before it was ready", error.Message, StringComparison.Ordinal);
        Assert.Contains("broken.yaml(4,1): error WF0101: unknown key 'stepz'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(DataPath), "serve wrote its data folder although it refused to start");
    }

    [Fact]
    public async Task Serve_NoApiKeyConfigured_GeneratesOneKeepsItPrivateAndUsesItAgainAfterARestart()
    {
        var port = ThrowawayAzurite.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        string key;
        using (var first = await ServeProcess.StartAsync(Arguments(port), new Dictionary<string, string>(), StartTimeout))
        {
            var printed = GeneratedKey().Match(first.ReadyLine);
            Assert.True(printed.Success, $"the ready line names no generated key: {first.ReadyLine}");
            key = printed.Groups["key"].Value;
            var file = Path.Combine(DataPath, "api-key");
            Assert.Equal(file, printed.Groups["file"].Value);
            Assert.Equal(key, (await File.ReadAllTextAsync(file)).Trim());
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/workflows")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SendWithKeyAsync(http, key)).StatusCode);
            Assert.Equal(0, await first.StopGracefullyAsync(TimeSpan.FromSeconds(60)));
        }

        using var second = await ServeProcess.StartAsync(Arguments(port), new Dictionary<string, string>(), StartTimeout);
        Assert.Equal(key, GeneratedKey().Match(second.ReadyLine).Groups["key"].Value);
        Assert.Equal(HttpStatusCode.OK, (await SendWithKeyAsync(http, key)).StatusCode);
    }

    [Fact]
    public async Task Serve_ApiKeyFromTheEnvironment_UsesItAndGeneratesNone()
    {
        var port = ThrowawayAzurite.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        const string configured = "key-from-the-environment";

        using var serve = await ServeProcess.StartAsync(
            Arguments(port), new Dictionary<string, string> { ["Coordinator__ApiKey"] = configured }, StartTimeout);

        Assert.Contains("API key from configuration", serve.ReadyLine, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(DataPath, "api-key")));
        Assert.Equal(HttpStatusCode.OK, (await SendWithKeyAsync(http, configured)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendWithKeyAsync(http, configured + "x")).StatusCode);
    }

    private static async Task<HttpResponseMessage> SendWithKeyAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/workflows");
        request.Headers.Add(ApiKey.HeaderName, key);
        return await http.SendAsync(request);
    }

    [GeneratedRegex(@"API key (?<key>[0-9a-f]{48}) \(kept in (?<file>[^)]+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex GeneratedKey();
}
