using Coordinator.Core.Definitions;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Durable;
using Coordinator.Persistence;
using Coordinator.Persistence.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Coordinator.Hosting;

/// <summary>Where the start-up work of <c>serve</c> reports its progress (the console for the CLI).</summary>
public sealed record StartupProgress(TextWriter Writer);

/// <summary>
/// The database, before anything runs: reachable with <c>ConnectionStrings:Coordinator</c>, migrated
/// (<see cref="StartupChecks.PrepareDatabaseAsync"/>), and every loaded definition published to the
/// catalog (immutable per id and version: a changed definition under a published version stops the
/// host, since running instances are pinned to it). Nothing to do without a connection string.
/// </summary>
internal sealed class DatabaseStartup(IConfiguration configuration, WorkflowRegistry registry, StartupProgress progress, IServiceProvider services)
    : StartupWork
{
    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        var connectionString = configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            return;
        await StartupChecks.PrepareDatabaseAsync(
            connectionString, configuration.GetConnectionString("CoordinatorMigrations"), progress.Writer, cancellationToken).ConfigureAwait(false);
        var catalog = services.GetRequiredService<DefinitionCatalog>();
        foreach (var definition in registry.All)
        {
            try
            {
                var outcome = await catalog.PublishAsync(definition.Id, definition.Version, DefinitionJson.Canonical(definition), cancellationToken).ConfigureAwait(false);
                progress.Writer.WriteLine($"  catalog: {definition.Id} v{definition.Version} {(outcome == PublishOutcome.Published ? "published" : "already published")}");
            }
            catch (DefinitionVersionConflictException e)
            {
                throw new StartupException(e.Message, e);
            }
            catch (NpgsqlException e)
            {
                throw new StartupException(StartupChecks.Describe(e, connectionString, "ConnectionStrings:Coordinator"), e);
            }
        }
    }
}

/// <summary>The Durable backend's storage (the task hub's queues, tables and containers), created when missing.</summary>
internal sealed class TaskHubStartup(EmbeddedBackend backend, IOptions<DurableBackendOptions> options, StartupProgress progress) : StartupWork
{
    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Backend == DurableBackendKind.Memory)
        {
            progress.Writer.WriteLine("Starting the in-memory Durable backend (NOT durable: instances are lost when the host stops) ...");
            return;
        }
        progress.Writer.WriteLine($"Connecting to the Durable Azure Storage backend (task hub '{settings.TaskHub}') ...");
        try
        {
            await backend.Service.CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new StartupException(
                $"Could not create the Durable task hub '{settings.TaskHub}' in Azure Storage ({e.GetBaseException().Message.ReplaceLineEndings(" ")}). " +
                "Locally, start Azurite with scripts/azurite.sh start; otherwise check Coordinator:Durable:StorageConnectionString. " +
                "To try without storage, run with --backend memory (not durable).", e);
        }
    }
}

/// <summary>
/// The API key: <c>Coordinator:ApiKey</c> when set, otherwise the one kept in the data folder
/// (generated, mode 600, on the first start). Resolved once at start-up; requests read <see cref="Key"/>.
/// </summary>
public sealed class ApiKeyStartup(IOptions<CoordinatorHostOptions> options, ServeDataFolder data) : StartupWork
{
    private ApiKey? _key;

    /// <summary>The key; only after start-up.</summary>
    public ApiKey Key => _key ?? throw new InvalidOperationException("The API key is resolved when the host starts.");

    /// <summary>True when the key is the generated one of the data folder (the ready line shows it), false when configured.</summary>
    public bool Generated { get; private set; }

    /// <summary>Where a generated key is kept.</summary>
    public string FilePath => Path.Combine(data.Path, "api-key");

    public override Task StartingAsync(CancellationToken cancellationToken)
    {
        _key = ApiKey.Resolve(options.Value.ApiKey, data.Path, out var generated);
        Generated = generated;
        return Task.CompletedTask;
    }
}

/// <summary>The host's own folder (the generated API key, the sidecar's socket).</summary>
public sealed record ServeDataFolder(string Path);

/// <summary>
/// Work <c>serve</c> does once before it takes requests, as a hosted lifecycle service: every
/// <see cref="StartingAsync"/> runs in registration order after the options are validated and before
/// any hosted service starts (the sidecar, the workers, Kestrel), so a failure stops the host before it
/// listens or runs a turn, with the exception's one line.
/// </summary>
public abstract class StartupWork : IHostedLifecycleService
{
    public abstract Task StartingAsync(CancellationToken cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
