using Coordinator.Application;
using Coordinator.Core.Ports;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordinator.Hosting.Reconcile;

/// <summary>
/// Runs the <see cref="WorkReconciler"/> on <c>serve</c> every <see cref="CoordinatorHostOptions.ReconcileInterval"/>
/// (the Functions app runs it on a timer): instances terminated outside the coordinator leave people's lists within
/// one interval. Every host of a fleet may run it; a pass is idempotent (the withdrawal and its audit row happen once).
/// </summary>
public sealed partial class WorkReconcilerService(
    IServiceProvider services, Microsoft.Extensions.Options.IOptions<CoordinatorHostOptions> options, ILogger<WorkReconcilerService> logger) : BackgroundService
{
    private readonly TimeProvider time = services.GetService<TimeProvider>() ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ReconcileInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
                var reconciler = new WorkReconciler(
                    services.GetRequiredService<DurableTaskClient>(), services.GetRequiredService<IWorkProjection>(), services.GetRequiredService<IAuditLog>(), time, logger);
                await reconciler.ReconcileAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The backend or the database is away: the next pass tries again.
                Failed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling the read model of open work failed ({Reason}); trying again in one interval")]
    private static partial void Failed(ILogger logger, string reason);
}
