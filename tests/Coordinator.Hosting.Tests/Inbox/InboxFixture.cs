using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Durable;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Microsoft.Playwright;

namespace Coordinator.Hosting.Tests.Inbox;

/// <summary>
/// An in-process <c>coordinator serve</c> on the in-memory backend with the repository's sample
/// workflows, and headless Chromium (the Debian package, scripts/chromium.sh) driven by Playwright
/// with a fresh profile. Never downloads a browser.
/// </summary>
public sealed class InboxFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Large enough for a demo pace, small enough that no reminder fires while a test clicks (5 days ≈ 12 minutes).</summary>
    public const double TimeScale = 600;

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "coordinator-inbox-" + Guid.NewGuid().ToString("N"));
    private readonly string _profilePath = Path.Combine(Path.GetTempPath(), "coordinator-inbox-chromium-" + Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;

    public RunningServer Server { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public IBrowserContext Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"Chromium is not installed at {ChromiumPath}. Run scripts/chromium.sh (it installs the Debian package chromium).");

        var port = ThrowawayAzurite.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        Server = await CoordinatorServer.StartAsync(new ServeSettings
        {
            Urls = BaseUrl,
            Backend = DurableBackendKind.Memory,
            DefinitionsPath = RepositoryPaths.Definitions,
            TimeScale = TimeScale,
            DataPath = _dataPath,
        });
        Api = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Add(ApiKey.HeaderName, Server.ApiKey.Value);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(_profilePath, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        Browser.SetDefaultTimeout(30_000);

        // Assertions wait as long as actions do: after a click, the inbox itself may wait up to 5 s for
        // the coordinator before it answers, and a busy CI machine adds to that.
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        Api?.Dispose();
        if (Server is not null)
            await Server.DisposeAsync();
        foreach (var folder in new[] { _dataPath, _profilePath })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
            catch (UnauthorizedAccessException)
            {
                // Likewise.
            }
        }
    }

    /// <summary>Starts an instance through the HTTP API and returns its id.</summary>
    public async Task<string> StartAsync(string workflowId, string businessKey, object context)
    {
        using var response = await Api.PostAsJsonAsync($"/api/workflows/{workflowId}/instances", new { businessKey, context });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("instanceId").GetString()!;
    }

    /// <summary>Reports an event through the HTTP API (what another channel or a colleague would do).</summary>
    public async Task PostEventAsync(string instanceId, string stepId, object body)
    {
        using var response = await Api.PostAsJsonAsync($"/api/instances/{Uri.EscapeDataString(instanceId)}/steps/{stepId}/events?wait=30", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The status of a step as the API shows it.</summary>
    public async Task<string> StepStatusAsync(string instanceId, string stepId)
    {
        var instance = await Api.GetFromJsonAsync<JsonElement>($"/api/instances/{Uri.EscapeDataString(instanceId)}");
        // The pages read people's work lists, which follow the instance's turns a moment later.
        if (!instance.GetProperty("workListed").GetBoolean())
            return "(not in the work lists yet)";
        return instance.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stepId").GetString() == stepId).GetProperty("status").GetString()!;
    }

    /// <summary>The runtime status of an instance as the API shows it (running, completed, ...).</summary>
    public async Task<string> InstanceStatusAsync(string instanceId)
    {
        var instance = await Api.GetFromJsonAsync<JsonElement>($"/api/instances/{Uri.EscapeDataString(instanceId)}");
        return instance.GetProperty("status").GetString()!;
    }
}
