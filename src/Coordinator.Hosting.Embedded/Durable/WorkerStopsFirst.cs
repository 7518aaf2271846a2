using Microsoft.DurableTask.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coordinator.Hosting.Durable;

/// <summary>
/// Stops the Durable worker when the host begins to stop, before any hosted service's <c>StopAsync</c>.
/// </summary>
/// <remarks>
/// The web server is registered after the worker, so it stops first, and a graceful stop waits for
/// open requests, among them the worker's never-ending work-item stream to the embedded sidecar. Without
/// this, every stop lasted the host's whole shutdown timeout (30 s). The host stops the worker again
/// afterwards, which is harmless.
/// </remarks>
internal sealed class WorkerStopsFirst(IServiceProvider services) : IHostedLifecycleService
{
    public Task StoppingAsync(CancellationToken cancellationToken) =>
        // Resolved here, not in the constructor: the workers are hosted services themselves.
        Task.WhenAll(services.GetServices<IHostedService>().OfType<DurableTaskWorker>().Select(w => w.StopAsync(cancellationToken)));

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
