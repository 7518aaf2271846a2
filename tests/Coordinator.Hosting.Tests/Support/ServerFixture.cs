using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Durable;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Support;

/// <summary>
/// A running <c>coordinator serve</c> (in-process) on the Azure Storage backend over the shared
/// Azurite, with its own task hub, the repository's sample workflows and a time scale.
/// </summary>
public sealed class ServerFixture(ThrowawayAzurite azurite) : IAsyncLifetime
{
    public const double TimeScale = 1000;
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "coordinator-e2e-" + Guid.NewGuid().ToString("N"));

    public RunningServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var port = ThrowawayAzurite.FreePort();
        var taskHub = "e2e" + Guid.NewGuid().ToString("N")[..12];
        Server = await CoordinatorServer.StartAsync(new ServeSettings
        {
            Urls = $"http://127.0.0.1:{port}",
            Backend = DurableBackendKind.AzureStorage,
            DefinitionsPath = RepositoryPaths.Definitions,
            TimeScale = TimeScale,
            DataPath = _dataPath,
            ConfigurationArgs =
            [
                $"--Coordinator:Durable:StorageConnectionString={azurite.ConnectionString}",
                $"--Coordinator:Durable:TaskHub={taskHub}",
                "--Coordinator:Durable:PartitionCount=1",
                "--Coordinator:Durable:MaxQueuePollingInterval=00:00:00.500",
            ],
        });
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add(ApiKey.HeaderName, Server.ApiKey.Value);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // harmless
        }
    }

    public async Task<JsonElement> GetInstanceAsync(string instanceId)
    {
        using var response = await Http.GetAsync($"/api/instances/{Uri.EscapeDataString(instanceId)}");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls the instance until <paramref name="condition"/> holds; fails with the last state after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string instanceId, Func<JsonElement, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        JsonElement last = default;
        while (!cts.IsCancellationRequested)
        {
            last = await GetInstanceAsync(instanceId);
            if (condition(last))
                return last;
            try
            {
                await Task.Delay(200, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last state: {last}");
    }
}
