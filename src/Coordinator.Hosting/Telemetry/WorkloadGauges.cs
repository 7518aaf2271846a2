using System.ComponentModel.DataAnnotations;
using Coordinator.Core.Ports;
using Coordinator.Orchestration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Hosting.Telemetry;

/// <summary>Options of the host's own telemetry, section <c>Coordinator:Telemetry</c>.</summary>
public sealed class CoordinatorTelemetryOptions
{
    public const string Section = "Coordinator:Telemetry";

    /// <summary>How often the workload gauges (instances running, steps active, overdue, blocked, effects pending retry) are read from the read models.</summary>
    [Range(1, 3600, ErrorMessage = "Coordinator:Telemetry:WorkloadIntervalSeconds must be a whole number of seconds from 1 to 3600 (default 30).")]
    public int WorkloadIntervalSeconds { get; set; } = 30;
}

/// <summary>
/// Reads the fleet-wide workload from the read models every
/// <see cref="CoordinatorTelemetryOptions.WorkloadIntervalSeconds"/> and publishes it to the
/// <see cref="CoordinatorTelemetry"/> gauges, only while a metrics exporter observes them (without
/// one, it never queries). Every workflow of the registry is reported, with zeros when nothing of it
/// runs, so that a series drops to 0 instead of vanishing. A failed read (the database down) keeps the
/// last figures and is tried again at the next interval.
/// </summary>
public sealed partial class WorkloadGauges(
    IWorkloadReader reader,
    WorkflowRegistry registry,
    IOptions<CoordinatorTelemetryOptions> options,
    ILogger<WorkloadGauges> logger,
    TimeProvider? time = null) : BackgroundService
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>Reads the workload once and publishes it (every registered workflow, zeros for those with nothing running).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var read = await reader.ReadAsync(clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var byWorkflow = read.ToDictionary(static w => w.WorkflowId, StringComparer.Ordinal);
        foreach (var id in registry.All.Select(static d => d.Id))
            byWorkflow.TryAdd(id, new WorkflowWorkload(id, 0, 0, 0, 0, 0, 0));
        CoordinatorTelemetry.PublishWorkload([.. byWorkflow.Values.OrderBy(static w => w.WorkflowId, StringComparer.Ordinal)]);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.WorkloadIntervalSeconds), clock);
        var failing = false;
        do
        {
            if (!CoordinatorTelemetry.WorkloadObserved)
                continue;
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Once per outage: the readiness probe and the API's 503s already say the database is down.
                if (!failing)
                    LogReadFailed(e.GetType().Name, e.Message, options.Value.WorkloadIntervalSeconds);
                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Could not read the workload for the dashboard gauges ({ErrorType}: {Error}); they keep their last figures and the read is tried again every {Seconds} s.")]
    private partial void LogReadFailed(string errorType, string error, int seconds);
}
