using Coordinator.Core.Definitions;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Coordinator.Events.Tests;

internal sealed class ServedWorkflows(params WorkflowDefinition[] definitions) : IServedWorkflows
{
    public IReadOnlyList<WorkflowDefinition> Latest { get; } = definitions;
}

/// <summary>A relay as a host runs it: the events' registration, the PostgreSQL store, the served workflows; started as a hosted service.</summary>
internal sealed class RelayHarness : IAsyncDisposable
{
    public const string HostSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string OnboardingSecret = "whsec_Y29vcmRpbmF0b3Itd29ya2VkLWV4YW1wbGUta2V5";

    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;

    private RelayHarness(ServiceProvider services)
    {
        _services = services;
        _hosted = [.. services.GetServices<IHostedService>()];
    }

    public EventRelay Relay => _hosted.OfType<EventRelay>().Single();

    public static ServiceProvider Build(string connectionString, Uri? hostUrl, IReadOnlyDictionary<string, string?> extra, params WorkflowDefinition[] served)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Coordinator:PublicBaseUrl"] = Samples.Source.AbsoluteUri,
            ["Coordinator:Events:Webhook:Secret"] = HostSecret,
            ["Coordinator:Events:Webhook:PollInterval"] = "00:00:00.020",
            ["Coordinator:Events:Webhook:RetryInitialDelay"] = "00:00:00.020",
            ["Coordinator:Events:Webhook:RetryMaxDelay"] = "00:00:00.100",
        };
        if (hostUrl is not null)
            settings["Coordinator:Events:Webhook:Url"] = hostUrl.AbsoluteUri;
        foreach (var (key, value) in extra)
            settings[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        services.AddSingleton<PostgresEventRelayStore>();
        services.AddSingleton<IEventRelayStore, PostgresEventRelayStore>();
        services.AddSingleton<IServedWorkflows>(new ServedWorkflows(served));
        Assert.True(services.AddCoordinatorEvents(configuration));
        return services.BuildServiceProvider();
    }

    public static async Task<RelayHarness> StartAsync(string connectionString, Uri? hostUrl, params WorkflowDefinition[] served) =>
        await StartAsync(connectionString, hostUrl, new Dictionary<string, string?>(), served);

    public static async Task<RelayHarness> StartAsync(string connectionString, Uri? hostUrl, IReadOnlyDictionary<string, string?> extra, params WorkflowDefinition[] served)
    {
        var harness = new RelayHarness(Build(connectionString, hostUrl, extra, served));
        foreach (var service in harness._hosted)
            await service.StartAsync(CancellationToken.None);
        // A new target starts at the registry's end: wait until every target has its cursor before appending.
        var store = harness._services.GetRequiredService<PostgresEventRelayStore>();
        foreach (var target in harness.Relay.Targets)
            await Wait.UntilAsync(async () => await store.PositionAsync(target.Name) is not null, $"the cursor of {target.Name}");
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _hosted)
            await service.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}

/// <summary>Waiting on a condition with a timeout (never a sleep that hopes).</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(10);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
