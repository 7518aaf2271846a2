using System.Text.Json.Serialization;
using Coordinator.Channels;
using Coordinator.Core.Definitions;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Channels;
using Coordinator.Hosting.Durable;
using Coordinator.Hosting.Health;
using Coordinator.Hosting.Inbox;
using Coordinator.Orchestration;
using Coordinator.Persistence;
using Coordinator.Persistence.Catalog;
using Coordinator.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coordinator.Hosting;

/// <summary>What <c>coordinator serve</c> was asked for on its command line.</summary>
public sealed record ServeSettings
{
    public string Urls { get; init; } = "http://localhost:7071";
    public DurableBackendKind Backend { get; init; } = DurableBackendKind.AzureStorage;
    public string? DefinitionsPath { get; init; }
    public double? TimeScale { get; init; }
    public string? DataPath { get; init; }

    /// <summary>Extra configuration (command-line style <c>key=value</c> pairs or <c>--Key value</c>).</summary>
    public IReadOnlyList<string> ConfigurationArgs { get; init; } = [];

    /// <summary>Where start-up progress goes (the console for the CLI).</summary>
    public TextWriter Progress { get; init; } = TextWriter.Null;
}

/// <summary>
/// A composed <c>coordinator serve</c>, not started yet (<see cref="CoordinatorServer.CreateBuilder"/>):
/// its services and configuration may still be changed, as an in-process test does, before
/// <see cref="CoordinatorServer.StartAsync(ServeBuilder, CancellationToken)"/> runs its start-up work.
/// </summary>
public sealed class ServeBuilder
{
    internal ServeBuilder(WebApplicationBuilder web, ServeSettings settings, IReadOnlyList<PublicEndpoints> endpoints, SidecarEndpoint sidecar, double timeScale, bool durableAudit)
    {
        Web = web;
        Settings = settings;
        Endpoints = endpoints;
        Sidecar = sidecar;
        TimeScale = timeScale;
        DurableAudit = durableAudit;
    }

    /// <summary>The web application's builder: its <see cref="WebApplicationBuilder.Services"/> and <see cref="WebApplicationBuilder.Configuration"/>.</summary>
    public WebApplicationBuilder Web { get; }

    internal ServeSettings Settings { get; }

    internal IReadOnlyList<PublicEndpoints> Endpoints { get; }

    internal SidecarEndpoint Sidecar { get; }

    internal double TimeScale { get; }

    internal bool DurableAudit { get; }
}

/// <summary>
/// The standalone coordinator: the embedded Durable Task sidecar over the chosen backend, the
/// orchestrator and activity workers, and the HTTP API, in one process.
/// </summary>
public static class CoordinatorServer
{
    /// <summary>Composes and starts the server. Throws with a message that says what to do when it cannot start.</summary>
    public static Task<RunningServer> StartAsync(ServeSettings settings, CancellationToken cancellationToken = default) =>
        StartAsync(CreateBuilder(settings), cancellationToken);

    /// <summary>
    /// Composes the server without touching anything outside the process but the definitions it reads:
    /// the database, the task hub and the API key file are start-up work (<see cref="StartupWork"/>),
    /// done by <see cref="StartAsync(ServeBuilder, CancellationToken)"/>.
    /// </summary>
    public static ServeBuilder CreateBuilder(ServeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var progress = settings.Progress;
        var builder = WebApplication.CreateSlimBuilder([.. settings.ConfigurationArgs]);
        // The sidecar adds its own Kestrel endpoint (a Unix socket in the data folder), so the public ones are explicit endpoints too.
        var publicEndpoints = PublicEndpoints.Parse(settings.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var endpoint in publicEndpoints)
                endpoint.Listen(kestrel);
            RequestLimits.Configure(kestrel);
        });
        builder.Logging.AddFilter("DurableTask", LogLevel.Warning).AddFilter("Microsoft.DurableTask", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning)
            // The ready line names the public URLs; ASP.NET's own start-up lines would also list the sidecar's socket.
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            // A start-up failure is the caller's to report (serve: one line naming the setting); the host would log it
            // again with its stack trace. A background service that stops the host is still logged (as critical).
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);
        // Traces, metrics and logs by the standard OTEL_* and APPLICATIONINSIGHTS_CONNECTION_STRING settings; nothing exported without them.
        builder.AddCoordinatorTelemetry("coordinator");

        // The command line overrides the configuration; both are validated at start-up (one line naming the setting).
        builder.Services.AddValidatedOptions<CoordinatorHostOptions>(CoordinatorHostOptions.Section).PostConfigure(options =>
        {
            options.DefinitionsPath = settings.DefinitionsPath ?? options.DefinitionsPath;
            options.DataPath = settings.DataPath ?? options.DataPath;
            options.TimeScale = settings.TimeScale ?? options.TimeScale;
        });
        builder.Services.PostConfigure<DurableBackendOptions>(options => options.Backend = settings.Backend);
        // What the composition itself needs (where the definitions and the data folder are, the clock), as configured.
        var hostOptions = builder.Configuration.GetSection(CoordinatorHostOptions.Section).Get<CoordinatorHostOptions>() ?? new CoordinatorHostOptions();
        var definitionsPath = settings.DefinitionsPath ?? hostOptions.DefinitionsPath;
        var dataPath = Path.GetFullPath(settings.DataPath ?? hostOptions.DataPath);
        var timeScale = settings.TimeScale ?? hostOptions.TimeScale;
        if (!CoordinatorHostOptions.IsTimeScale(timeScale))
            throw new StartupException(settings.TimeScale is null ? CoordinatorHostOptions.TimeScaleProblem : $"--time-scale must be a number ≥ 1 (1 = real time); got {timeScale}.");

        progress.WriteLine($"Loading workflow definitions from {definitionsPath} ...");
        var registry = WorkflowRegistry.Load([definitionsPath], out var diagnostics, string.IsNullOrWhiteSpace(hostOptions.Directory) ? null : hostOptions.Directory);
        foreach (var warning in diagnostics)
            progress.WriteLine(warning.ToString());
        progress.WriteLine($"  {registry.All.Count} definition(s): {string.Join(", ", registry.All.Select(d => $"{d.Id} v{d.Version}"))}");
        progress.WriteLine(registry.People.IsConfigured
            ? $"  people directory: {registry.People.People.Count} people ({string.Join(", ", registry.People.People.CountBy(p => p.Channel).OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key.ToString().ToLowerInvariant()}"))})"
            : "  no people directory (workflow-definitions/people.yaml): everybody is reached in the web inbox");
        var channels = CoordinatorServiceCollectionExtensions.ConfiguredChannels(builder.Configuration);
        progress.WriteLine(channels.Count == 0
            ? "  chat channels: none configured (Slack, Teams, WhatsApp, Telegram: docs/channels.md): every message goes to the web inbox"
            : $"  chat channels: {string.Join(", ", channels)} (and the web inbox, which shows everything)");
        var integrations = CoordinatorServiceCollectionExtensions.ConfiguredIntegrations(builder.Configuration, registry);
        progress.WriteLine(integrations.Count == 0
            ? "  integrations: none configured (HubSpot: docs/hubspot.md; CloudEvents: docs/integrations.md)"
            : $"  integrations: {string.Join(", ", integrations)}");

        builder.Services.AddSingleton(new StartupProgress(progress));
        builder.Services.AddSingleton(new ServeDataFolder(dataPath));
        // Start-up work, in this order, before anything listens or runs: the database (reachable, migrated,
        // the catalog published), the task hub (AddEmbeddedDurableTask), the API key.
        builder.Services.AddHostedService<DatabaseStartup>();
        // The definitions, the clock, the audit registry and stores, the default ports: as the Functions app registers them.
        builder.Services.AddCoordinatorComponents(builder.Configuration, registry, new HostClock(timeScale));
        // The application core every channel of this host calls (the API, the web inbox).
        builder.Services.AddSingleton<CoordinatorService>();
        // The same core as the integrations see it (HubSpot starts, CloudEvents).
        builder.Services.AddSingleton<Coordinator.Core.Ports.IWorkGateway, CoordinatorWorkGateway>();
        // The chat channels' replies become events through the same core (when a channel is on).
        if (channels.Count > 0)
            builder.Services.AddReplyWorker<CoordinatorEventGateway>();
        // The chat endpoint (/v1/chat/completions) answers through the same reply handling, with its keys in the database.
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName)))
            builder.Services.AddReplyHandling<CoordinatorEventGateway>();
        // HubSpot's start requests become instances through the same core (when HubSpot is on).
        if (integrations.Contains("hubspot"))
            builder.Services.AddHostedService<Coordinator.Crm.HubSpot.HubSpotStartWorker>();
        // Instances terminated outside the coordinator leave people's lists (the read model follows the backend).
        builder.Services.AddHostedService<Coordinator.Hosting.Reconcile.WorkReconcilerService>();
        // Every error answer is problem details: refusals (the handlers; unreadable bodies included, see
        // JsonBody.ReadObjectAsync), oversize requests (RequestLimits), bare status codes
        // (UseStatusCodePages), the Durable backend or PostgreSQL out of reach (DependencyUnavailable: a 503 with
        // Retry-After), and any other exception (UseExceptionHandler: a 500 with a trace id, no internals).
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DependencyUnavailable>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddCoordinatorOpenApi();
        // The web inbox: its Razor components and the antiforgery its forms carry.
        builder.Services.AddInbox();
        // No server-wide body limit: it would also cap the embedded sidecar's gRPC messages. The API
        // reads bodies through JsonBody.ReadObjectAsync, which refuses more than 256 KiB (413).
        var sidecar = builder.AddEmbeddedDurableTask(registry => registry.AddCoordinatorTasks(), dataPath);
        builder.Services.AddSingleton<ApiKeyStartup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ApiKeyStartup>());
        builder.Services.AddSingleton(sp => sp.GetRequiredService<ApiKeyStartup>().Key);
        var durableAudit = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName));
        return new ServeBuilder(builder, settings, publicEndpoints, sidecar, timeScale, durableAudit);
    }

    /// <summary>
    /// Starts a composed server: checks its ports are free (before anything is written anywhere: a port
    /// in use is one line, not a trace after the migrations ran), validates the options, runs the start-up
    /// work, then the sidecar, the workers and Kestrel, and waits until the client reaches the sidecar.
    /// </summary>
    public static async Task<RunningServer> StartAsync(ServeBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StartupChecks.EnsurePortsFree(builder.Endpoints);
        var app = builder.Web.Build();
        // First, so every answer gets them, error pages included (see SecurityHeaders).
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimits();
        app.MapEmbeddedDurableTask(builder.Sidecar);
        app.MapOpenApi(ApiDocument.DocumentPath);
        app.MapCoordinatorApi();
        app.MapAuditExport();
        app.MapInbox();
        app.MapChannelWebhooks();
        app.MapChatEndpoint();
        app.MapHealth();

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            await EmbeddedDurableTask.WaitUntilReachableAsync(
                app.Services.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>(), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var key = app.Services.GetRequiredService<ApiKeyStartup>();
        var urls = builder.Endpoints.Select(e => e.Url).ToArray();
        var memory = builder.Settings.Backend == DurableBackendKind.Memory;
        var ready = $"Coordinator ready on {string.Join(", ", urls)} — web inbox {urls.FirstOrDefault()}/, API {urls.FirstOrDefault()}/api, OpenAPI {urls.FirstOrDefault()}/api/openapi.json; "
            + $"backend {(memory ? "memory (NOT durable)" : "azure-storage (durable)")}; "
            + $"audit {(builder.DurableAudit ? "PostgreSQL audit registry" : "in memory (NOT durable: set ConnectionStrings__Coordinator for the PostgreSQL audit registry)")}; "
            + $"time scale {builder.TimeScale}x; API key {(key.Generated ? key.Key.Value + $" (kept in {key.FilePath})" : "from configuration")}";
        return new RunningServer(app, ready, key.Key, urls);
    }
}

/// <summary>A started coordinator server.</summary>
public sealed class RunningServer(WebApplication app, string readyLine, ApiKey apiKey, IReadOnlyList<string> urls) : IAsyncDisposable
{
    public WebApplication App { get; } = app;
    public string ReadyLine { get; } = readyLine;
    public ApiKey ApiKey { get; } = apiKey;
    public IReadOnlyList<string> Urls { get; } = urls;
    public IServiceProvider Services => App.Services;

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => App.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
