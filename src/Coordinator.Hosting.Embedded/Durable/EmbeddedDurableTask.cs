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
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Hosting.Durable;

/// <summary>
/// Runs the Durable Task gRPC sidecar inside the host process, on its own HTTP/2 Unix socket
/// (<see cref="SidecarEndpoint"/>: mode 600 in a private directory of the data folder, no TCP port), over a real <see cref="IOrchestrationService"/>; the orchestrator/activity worker and the client
/// talk to it over gRPC exactly as they would to an external sidecar. This is how
/// <c>coordinator serve</c> runs the same orchestration code as Azure Functions without Azure tooling.
/// </summary>
public static partial class EmbeddedDurableTask
{
    /// <summary>
    /// The orchestration service of the chosen backend. Creating it touches no storage: the task hub is
    /// created at start-up (<see cref="TaskHubStartup"/>).
    /// </summary>
    public static IOrchestrationService CreateBackend(DurableBackendOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Backend switch
        {
            DurableBackendKind.Memory => new InMemoryOrchestrationService(loggerFactory),
            DurableBackendKind.AzureStorage => new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
            {
                TaskHubName = options.TaskHub,
                StorageAccountClientProvider = new StorageAccountClientProvider(options.StorageConnectionString),
                PartitionCount = options.PartitionCount,
                MaxQueuePollingInterval = options.MaxQueuePollingInterval,
                ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
                WorkItemQueueVisibilityTimeout = options.WorkItemQueueVisibilityTimeout,
                UseTablePartitionManagement = options.UseTablePartitionManagement,
                WorkerId = options.EffectiveWorkerId(),
                LoggerFactory = loggerFactory,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown Durable backend."),
        };
    }

    /// <summary>
    /// Adds the sidecar (on a Unix socket in <paramref name="dataPath"/>, see <see cref="SidecarEndpoint"/>),
    /// the worker with <paramref name="registerTasks"/> and a <see cref="DurableTaskClient"/> to a web
    /// application builder, over the backend <see cref="DurableBackendOptions"/> (section
    /// <c>Coordinator:Durable</c>, validated at start-up) describe; its task hub is created at start-up
    /// (<see cref="TaskHubStartup"/>). Call <see cref="MapEmbeddedDurableTask"/> on the built application.
    /// </summary>
    public static SidecarEndpoint AddEmbeddedDurableTask(this WebApplicationBuilder builder, Action<DurableTaskRegistry> registerTasks, string dataPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<DurableBackendOptions>(DurableBackendOptions.Section)
            .PostConfigure(options => options.WorkerId = string.IsNullOrWhiteSpace(options.WorkerId) ? DurableBackendOptions.WorkerIdFor(dataPath) : options.WorkerId);
        // The backend logs through the host (categories DurableTask.AzureStorage and DurableTask.Core): the host's
        // filters keep them at warnings (poison or duplicate messages, lost partitions), which an operator needs;
        // its lease and partition chatter shows with Logging__LogLevel__DurableTask.AzureStorage=Information.
        builder.Services.AddSingleton(sp => new EmbeddedBackend(CreateBackend(
            sp.GetRequiredService<IOptions<DurableBackendOptions>>().Value, sp.GetRequiredService<ILoggerFactory>())));
        builder.Services.TryAddSingleton(new StartupProgress(TextWriter.Null));
        builder.Services.AddHostedService<TaskHubStartup>();
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
        builder.Services.AddSingleton(sp =>
        {
            // Resolved now: the backend may fail to stop after the services are disposed (a host whose start failed).
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmbeddedDurableTask));
            return StopGuardedOrchestrationService.Wrap(sp.GetRequiredService<EmbeddedBackend>().Service, e => BackendStopFailed(logger, e));
        });
        builder.Services.AddSingleton(sp => (IOrchestrationServiceClient)sp.GetRequiredService<EmbeddedBackend>().Service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();

        // Separate channels: the worker connects before Kestrel listens and its channel backs off
        // after the refused attempt; the client's calls must not inherit that back-off.
        var workerChannel = endpoint.CreateChannel();
        var clientChannel = endpoint.CreateChannel();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(options =>
            {
                options.Channel = workerChannel;
                // The embedded sidecar sends no health pings: with the default (reconnect after 120 s without a
                // work item) an idle host dropped its work-item stream, and what the sidecar had just dispatched
                // on it waited until the stream's work was given up. In-process over a Unix socket, a silent
                // disconnect is the host's own death, so the detection is off.
                Microsoft.DurableTask.Worker.Grpc.Internal.InternalOptionsExtensions.SetSilentDisconnectTimeout(options, TimeSpan.Zero);
            });
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
                await client.GetInstanceAsync(Health.ReadinessProbe.ProbeInstanceId, cts.Token).ConfigureAwait(false);
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

/// <summary>The backend the embedded sidecar serves: one per host, made from <see cref="DurableBackendOptions"/> when first asked for.</summary>
public sealed class EmbeddedBackend(IOrchestrationService service)
{
    public IOrchestrationService Service { get; } = service;
}
