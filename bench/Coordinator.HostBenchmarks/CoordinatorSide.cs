using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Hosting;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Durable;
using DurableTask.Core;

namespace Coordinator.HostBenchmarks;

/// <summary>
/// The coordinator as <c>coordinator serve</c> runs it (in-process, Azure Storage backend), driven
/// only through its HTTP API: start, GET the instance, POST <c>done</c> events.
/// </summary>
internal sealed class CoordinatorSide : IWorkflowDriver
{
    public const string Person = "bench.user";
    private readonly RunningServer _server;
    private readonly HttpClient _http;
    private readonly WorkflowDefinition _definition;
    private readonly string _dataPath;

    private CoordinatorSide(RunningServer server, HttpClient http, WorkflowDefinition definition, string dataPath)
    {
        _server = server;
        _http = http;
        _definition = definition;
        _dataPath = dataPath;
    }

    public int Steps => _definition.Steps.Count;

    /// <summary>Starts the server on a free loopback port with the benchmark's workflow folder and a fresh task hub.</summary>
    public static async Task<CoordinatorSide> StartAsync(
        string definitionsPath, WorkflowDefinition definition, BackendSettings backend, CancellationToken cancellationToken)
    {
        var port = FreePort.Loopback();
        var dataPath = Path.Combine(Path.GetTempPath(), "coordinator-hostbench-" + Guid.NewGuid().ToString("N"));
        var apiKey = Guid.NewGuid().ToString("N");
        var server = await CoordinatorServer.StartAsync(new ServeSettings
        {
            Urls = $"http://127.0.0.1:{port}",
            Backend = DurableBackendKind.AzureStorage,
            DefinitionsPath = definitionsPath,
            DataPath = dataPath,
            ConfigurationArgs =
            [
                $"--Coordinator:Durable:StorageConnectionString={backend.ConnectionString}",
                $"--Coordinator:Durable:TaskHub={backend.TaskHub}",
                $"--Coordinator:Durable:PartitionCount={backend.Partitions}",
                $"--Coordinator:Durable:MaxQueuePollingInterval={backend.MaxQueuePollingInterval:c}",
                $"--Coordinator:ApiKey={apiKey}",
                "--Logging:LogLevel:Default=Warning",
            ],
        }, cancellationToken).ConfigureAwait(false);
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add(ApiKey.HeaderName, apiKey);
        return new CoordinatorSide(server, http, definition, dataPath);
    }

    public async Task<string> StartAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(
            $"/api/workflows/{_definition.Id}/instances", new { businessKey = key }, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw await Unexpected(response, $"start of '{key}'", cancellationToken).ConfigureAwait(false);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        return started.GetProperty("instanceId").GetString()!;
    }

    public async Task<InstanceProgress> ReadAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/api/instances/{Uri.EscapeDataString(instanceId)}", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await Unexpected(response, $"GET of instance {instanceId}", cancellationToken).ConfigureAwait(false);
        var instance = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        var status = instance.GetProperty("status").GetString();
        if (status is "failed" or "terminated")
            throw new InvalidOperationException($"Coordinator instance {instanceId} is {status}: {instance}");
        var waitingAt = -1;
        var index = 0;
        foreach (var step in instance.GetProperty("steps").EnumerateArray())
        {
            if (step.GetProperty("status").GetString() == "active")
                waitingAt = index;
            index++;
        }
        return new InstanceProgress(waitingAt, status == "completed");
    }

    public async Task SendDoneAsync(string instanceId, int step, CancellationToken cancellationToken)
    {
        var stepId = _definition.Steps[step].Id;
        // wait=0: answer at once (202), as the bare side's raise does; the driver measures the step's activation by polling, on both sides.
        using var response = await _http.PostAsJsonAsync(
            $"/api/instances/{Uri.EscapeDataString(instanceId)}/steps/{stepId}/events?wait=0", new { type = "done", by = Person }, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
            throw await Unexpected(response, $"'done' on step {stepId} of {instanceId}", cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> HistoryAsync(string instanceId)
    {
        var client = ((IOrchestrationServiceClient)_server.Services.GetService(typeof(IOrchestrationServiceClient))!);
        var state = await client.GetOrchestrationStateAsync(instanceId, allExecutions: false).ConfigureAwait(false);
        return await client.GetOrchestrationHistoryAsync(instanceId, state[0].OrchestrationInstance.ExecutionId).ConfigureAwait(false);
    }

    /// <summary>Stops the server; with <paramref name="deleteTaskHub"/>, removes its task hub from storage.</summary>
    public async Task StopAsync(bool deleteTaskHub)
    {
        var service = (IOrchestrationService)_server.Services.GetService(typeof(IOrchestrationService))!;
        _http.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        if (deleteTaskHub)
            await service.DeleteAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static async Task<Exception> Unexpected(HttpResponseMessage response, string what, CancellationToken cancellationToken) =>
        new InvalidOperationException(
            $"The coordinator answered {(int)response.StatusCode} to the {what}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
}
