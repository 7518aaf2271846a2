using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Durable;
using Coordinator.Hosting.SideEffects;
using Coordinator.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Tests.Support;

/// <summary>
/// An in-process <c>coordinator serve</c> (Kestrel, the whole HTTP pipeline) on the in-memory backend with
/// the repository's sample workflows and the in-memory audit log: for the OpenAPI document and the HTTP edge.
/// </summary>
public class MemoryServerFixture : IAsyncLifetime
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "coordinator-memory-" + Guid.NewGuid().ToString("N"));
    private RunningServer? _server;

    public RunningServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The server's data folder (its API key, the sidecar's socket).</summary>
    public string DataPath => _dataPath;

    /// <summary>A client without the API key.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>A client with the API key.</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>The audit the server wrote (it keeps no PostgreSQL registry).</summary>
    public InMemoryAuditLog Audit => Server.Services.GetRequiredService<InMemoryAuditLog>();

    public async Task InitializeAsync()
    {
        var url = $"http://127.0.0.1:{ThrowawayAzurite.FreePort()}";
        // Composed as serve composes itself; a derived fixture changes the composition before it starts.
        var builder = CoordinatorServer.CreateBuilder(new ServeSettings
        {
            Urls = url, Backend = DurableBackendKind.Memory, DefinitionsPath = RepositoryPaths.Definitions, DataPath = _dataPath, TimeScale = 600,
        });
        Configure(builder.Web);
        _server = await CoordinatorServer.StartAsync(builder);
        BaseAddress = new Uri(url);
        Http = new HttpClient { BaseAddress = BaseAddress };
        Api = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Add(ApiKey.HeaderName, _server.ApiKey.Value);
    }

    /// <summary>What a derived fixture changes in the server's composition.</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        Api?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>Starts an instance through the API (202) and returns its id.</summary>
    public async Task<string> StartAsync(string workflowId, string businessKey, object context)
    {
        using var response = await Api.PostAsJsonAsync($"/api/workflows/{workflowId}/instances", new { businessKey, context });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"start {businessKey}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
    }

    public async Task<JsonElement> GetInstanceAsync(string instanceId) =>
        await Api.GetFromJsonAsync<JsonElement>($"/api/instances/{Uri.EscapeDataString(instanceId)}");

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after a minute.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after a minute waiting for {what}.");
            await Task.Delay(100);
        }
    }

    /// <summary>The status of a step as the API shows it.</summary>
    public async Task<string?> StepStatusAsync(string instanceId, string stepId) =>
        (await GetInstanceAsync(instanceId)).GetProperty("steps").EnumerateArray()
            .Single(s => s.GetProperty("stepId").GetString() == stepId).GetProperty("status").GetString();
}
