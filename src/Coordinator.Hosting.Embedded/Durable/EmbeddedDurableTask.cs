using Coordinator.Orchestration;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordinator.Hosting.Durable;

/// <summary>
/// Runs the Durable Task gRPC sidecar inside the host process, on its own HTTP/2 Unix socket
/// (<see cref="SidecarEndpoint"/>: mode 600 in a private directory of the data folder, no TCP port), over a real <see cref="IOrchestrationService"/>; the orchestrator/activity worker and the client
/// talk to it over gRPC exactly as they would to an external sidecar. This is how
/// <c>coordinator serve</c> runs the same orchestration code as Azure Functions without Azure tooling.
/// </summary>
public static partial class EmbeddedDurableTask
{
    /// <summary>Creates the orchestration service of the chosen backend and its storage (idempotent).</summary>
    public static async Task<IOrchestrationService> CreateBackendAsync(DurableBackendOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Backend)
        {
            case DurableBackendKind.Memory:
                return new InMemoryOrchestrationService(loggerFactory);
            case DurableBackendKind.AzureStorage:
                var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
                {
                    TaskHubName = options.TaskHub,
                    StorageAccountClientProvider = new StorageAccountClientProvider(options.StorageConnectionString),
                    PartitionCount = options.PartitionCount,
                    MaxQueuePollingInterval = options.MaxQueuePollingInterval,
                    ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
                    WorkItemQueueVisibilityTimeout = options.WorkItemQueueVisibilityTimeout,
                    LoggerFactory = loggerFactory,
                });
                try
                {
                    await service.CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InvalidOperationException(
                        $"Could not create the Durable task hub '{options.TaskHub}' in Azure Storage ({e.GetBaseException().Message}). " +
                        "Locally, start Azurite with scripts/azurite.sh start; otherwise check Coordinator:Durable:StorageConnectionString. " +
                        "To try without storage, run with --backend memory (not durable).", e);
                }
                return service;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown Durable backend.");
        }
    }

    /// <summary>
    /// Adds the sidecar (on a Unix socket in <paramref name="dataPath"/>, see <see cref="SidecarEndpoint"/>),
    /// the worker with <paramref name="registerTasks"/> and a <see cref="DurableTaskClient"/> to a web
    /// application builder. Call <see cref="MapEmbeddedDurableTask"/> on the built application.
    /// </summary>
    public static SidecarEndpoint AddEmbeddedDurableTask(this WebApplicationBuilder builder, IOrchestrationService backend, Action<DurableTaskRegistry> registerTasks, string dataPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(backend);
        var endpoint = SidecarEndpoint.Create(dataPath);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ListenUnixSocket(endpoint.SocketPath, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                // Tags the connection, so the sidecar's endpoints answer only here (MapEmbeddedDurableTask).
                listen.Use(next => connection =>
                {
                    connection.Features.Set(SidecarConnectionFeature.Instance);
                    return next(connection);
                });
            }));

        builder.Services.AddGrpc();
        builder.Services.AddSingleton(endpoint);
        builder.Services.AddHostedService<SidecarSocketLifetime>();
        // The dispatchers get a stop-guarded view of the backend; the client side (queries, purge) the backend itself.
        builder.Services.AddSingleton(sp => StopGuardedOrchestrationService.Wrap(
            backend, e => BackendStopFailed(sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmbeddedDurableTask)), e)));
        builder.Services.AddSingleton((IOrchestrationServiceClient)backend);
        builder.Services.AddSingleton<TaskHubGrpcServer>();

        // Separate channels: the worker connects before Kestrel listens and its channel backs off
        // after the refused attempt; the client's calls must not inherit that back-off.
        var workerChannel = endpoint.CreateChannel();
        var clientChannel = endpoint.CreateChannel();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(workerChannel);
            worker.AddTasks(registerTasks);
            worker.Configure(options => options.DataConverter = CoordinatorDataConverter.Instance);
        });
        builder.Services.AddHostedService<WorkerStopsFirst>();
        builder.Services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(clientChannel);
            client.Configure(options => options.DataConverter = CoordinatorDataConverter.Instance);
        });
        return endpoint;
    }

    /// <summary>
    /// Maps the sidecar's gRPC service, answered only on connections to the sidecar's socket: a call on
    /// a public endpoint gets 404, whatever its Host header says, and so does anything but the sidecar's
    /// service on the socket.
    /// </summary>
    public static IEndpointConventionBuilder MapEmbeddedDurableTask(this WebApplication app, SidecarEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(endpoint);
        app.Use((context, next) =>
        {
            var onSocket = context.Features.Get<SidecarConnectionFeature>() is not null;
            var sidecarOnly = context.GetEndpoint()?.Metadata.GetMetadata<SidecarOnlyMetadata>() is not null;
            if (onSocket == sidecarOnly)
                return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        return app.MapGrpcService<TaskHubGrpcServer>().WithMetadata(SidecarOnlyMetadata.Instance);
    }

    /// <summary>Waits until the client reaches the sidecar (the host is ready for API calls).</summary>
    public static async Task WaitUntilReachableAsync(DurableTaskClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            try
            {
                await client.GetInstanceAsync("coordinator-readiness-probe", cts.Token).ConfigureAwait(false);
                return;
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unavailable && !cts.IsCancellationRequested)
            {
                await Task.Delay(100, cts.Token).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Durable backend failed to stop cleanly; its leases expire and the next start takes over")]
    private static partial void BackendStopFailed(ILogger logger, Exception exception);
}
