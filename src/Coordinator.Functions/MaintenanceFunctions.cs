using Coordinator.Application;
using Coordinator.Core.Ports;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordinator.Functions;

/// <summary>
/// Upkeep on a timer: every 5 minutes, instances that ended outside the coordinator (terminated with Durable tooling)
/// leave people's lists, with an audit row each (<see cref="WorkReconciler"/>; serve runs it as a background service).
/// </summary>
public sealed class MaintenanceFunctions(IWorkProjection projection, IAuditLog audit, IServiceProvider services, ILogger<MaintenanceFunctions> logger)
{
    [Function("ReconcileWork")]
    public Task ReconcileWork([TimerTrigger("0 */5 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        new WorkReconciler(client, projection, audit, services.GetService<TimeProvider>() ?? TimeProvider.System, logger).ReconcileAsync(cancellationToken);
}
