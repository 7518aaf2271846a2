using System.Text.Json.Serialization;
using Coordinator.Core.Definitions;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Durable;
using Coordinator.Hosting.Inbox;
using Coordinator.Orchestration;
using Coordinator.Persistence;
using Coordinator.Persistence.Catalog;
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

    /// <summary>Tests adjust configuration and services here.</summary>
    public Action<WebApplicationBuilder>? Configure { get; init; }
}

/// <summary>
/// The standalone coordinator: the embedded Durable Task sidecar over the chosen backend, the
/// orchestrator and activity workers, and the HTTP API, in one process.
/// </summary>
public static class CoordinatorServer
{
    /// <summary>Builds and starts the server. Throws with a message that says what to do when it cannot start.</summary>
    public static async Task<RunningServer> StartAsync(ServeSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var progress = settings.Progress;
        var builder = WebApplication.CreateSlimBuilder([.. settings.ConfigurationArgs]);
        // The sidecar adds its own Kestrel endpoint (a Unix socket in the data folder), so the public ones are explicit endpoints too.
        var publicEndpoints = PublicEndpoints.Parse(settings.Urls);
        // Before anything is written anywhere: a port in use is one line, not a trace after the migrations ran.
        StartupChecks.EnsurePortsFree(publicEndpoints);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var endpoint in publicEndpoints)
                endpoint.Listen(kestrel);
            RequestLimits.Configure(kestrel);
        });
        builder.Logging.AddFilter("DurableTask", LogLevel.Warning).AddFilter("Microsoft.DurableTask", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning)
            // The ready line names the public URLs; ASP.NET's own start-up lines would also list the sidecar's socket.
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        var hostOptions = builder.Configuration.GetSection(CoordinatorHostOptions.Section).Get<CoordinatorHostOptions>() ?? new CoordinatorHostOptions();
        var durableOptions = builder.Configuration.GetSection(DurableBackendOptions.Section).Get<DurableBackendOptions>() ?? new DurableBackendOptions();
        durableOptions.Backend = settings.Backend;
        StartupChecks.Validate(durableOptions, DurableBackendOptions.Section);
        var definitionsPath = settings.DefinitionsPath ?? hostOptions.DefinitionsPath;
        var dataPath = Path.GetFullPath(settings.DataPath ?? hostOptions.DataPath);
        var timeScale = settings.TimeScale ?? hostOptions.TimeScale;
        if (!double.IsFinite(timeScale) || timeScale < 1)
            throw new ArgumentException($"--time-scale must be a number ≥ 1 (1 = real time); got {timeScale}.");

        progress.WriteLine($"Loading workflow definitions from {definitionsPath} ...");
        var registry = WorkflowRegistry.Load([definitionsPath], out var diagnostics);
        foreach (var warning in diagnostics)
            progress.WriteLine(warning.ToString());
        progress.WriteLine($"  {registry.All.Count} definition(s): {string.Join(", ", registry.All.Select(d => $"{d.Id} v{d.Version}"))}");

        var connectionString = builder.Configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName);
        var auditDescription = "in memory (NOT durable: set ConnectionStrings__Coordinator for the PostgreSQL audit registry)";
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            // Reachable with this login, and migrated: with ConnectionStrings:CoordinatorMigrations (the owner) when
            // given, else with this login when it owns the database; otherwise one line that says how.
            await StartupChecks.PrepareDatabaseAsync(
                connectionString, builder.Configuration.GetConnectionString("CoordinatorMigrations"), progress, cancellationToken).ConfigureAwait(false);
            auditDescription = "PostgreSQL audit registry";
        }

        progress.WriteLine(settings.Backend == DurableBackendKind.AzureStorage
            ? $"Connecting to the Durable Azure Storage backend (task hub '{durableOptions.TaskHub}') ..."
            : "Starting the in-memory Durable backend (NOT durable: instances are lost when the host stops) ...");
        using var startupLoggers = LoggerFactory.Create(logging => logging.AddFilter(_ => false));
        var backend = await EmbeddedDurableTask.CreateBackendAsync(durableOptions, startupLoggers, cancellationToken).ConfigureAwait(false);

        var apiKey = ApiKey.Resolve(hostOptions.ApiKey, dataPath, out var generatedKey);
        builder.Services.AddSingleton(apiKey);
        // The definitions, the clock, the audit registry and stores, the default ports: as the Functions app registers them.
        builder.Services.AddCoordinatorComponents(builder.Configuration, registry, new HostClock(timeScale));
        // The application core every channel of this host calls (the API, the web inbox).
        builder.Services.AddSingleton<CoordinatorService>();
        // Every error answer is problem details: refusals (the handlers; unreadable bodies included, see
        // JsonBody.ReadObjectAsync), oversize requests (RequestLimits), bare status codes
        // (UseStatusCodePages), the Durable backend out of reach (DurableBackendUnavailable: a 503 with
        // Retry-After), and any other exception (UseExceptionHandler: a 500 with a trace id, no internals).
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DurableBackendUnavailable>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddCoordinatorOpenApi();
        // The web inbox: its Razor components and the antiforgery its forms carry.
        builder.Services.AddInbox();
        // No server-wide body limit: it would also cap the embedded sidecar's gRPC messages. The API
        // reads bodies through JsonBody.ReadObjectAsync, which refuses more than 256 KiB (413).
        var sidecar = builder.AddEmbeddedDurableTask(backend, registry => registry.AddCoordinatorTasks(), dataPath);
        settings.Configure?.Invoke(builder);

        var app = builder.Build();
        if (app.Services.GetService<DefinitionCatalog>() is { } catalog)
            await PublishDefinitionsAsync(catalog, connectionString!, registry, progress, cancellationToken).ConfigureAwait(false);
        // First, so every answer gets them, error pages included (see SecurityHeaders).
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimits();
        app.MapEmbeddedDurableTask(sidecar);
        app.MapOpenApi(ApiDocument.DocumentPath);
        app.MapCoordinatorApi();
        app.MapAuditExport();
        app.MapInbox();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await EmbeddedDurableTask.WaitUntilReachableAsync(
            app.Services.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>(), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var urls = publicEndpoints.Select(e => e.Url).ToArray();
        var ready = $"Coordinator ready on {string.Join(", ", urls)} — web inbox {urls.FirstOrDefault()}/, API {urls.FirstOrDefault()}/api, OpenAPI {urls.FirstOrDefault()}/api/openapi.json; "
            + $"backend {(settings.Backend == DurableBackendKind.AzureStorage ? "azure-storage (durable)" : "memory (NOT durable)")}; audit {auditDescription}; "
            + $"time scale {timeScale}x; API key {(generatedKey ? apiKey.Value + $" (kept in {Path.Combine(dataPath, "api-key")})" : "from configuration")}";
        return new RunningServer(app, ready, apiKey, urls);
    }

    /// <summary>
    /// Publishes every loaded definition to the catalog (immutable per id and version). A changed
    /// definition under a published version stops the host: running instances are pinned to it.
    /// </summary>
    private static async Task PublishDefinitionsAsync(DefinitionCatalog catalog, string connectionString, WorkflowRegistry registry, TextWriter progress, CancellationToken cancellationToken)
    {
        foreach (var definition in registry.All)
        {
            try
            {
                var outcome = await catalog.PublishAsync(definition.Id, definition.Version, DefinitionJson.Canonical(definition), cancellationToken).ConfigureAwait(false);
                progress.WriteLine($"  catalog: {definition.Id} v{definition.Version} {(outcome == PublishOutcome.Published ? "published" : "already published")}");
            }
            catch (DefinitionVersionConflictException e)
            {
                throw new InvalidOperationException(e.Message, e);
            }
            catch (NpgsqlException e)
            {
                throw new StartupException(StartupChecks.Describe(e, connectionString, "ConnectionStrings:Coordinator"), e);
            }
        }
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
