using System.Globalization;
using Coordinator.Hosting;

namespace Coordinator.HostBenchmarks;

/// <summary>One run: the coordinator side, then the bare Durable side, on one storage, each with a fresh task hub.</summary>
internal static class HostBenchmark
{
    public static async Task RunAsync(HostBenchSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var definitionsPath = Path.Combine(AppContext.BaseDirectory, "workflows");
        var definition = WorkflowRegistry.Load([definitionsPath], out _).All.Single();
        var plan = ActivityPlan.For(definition, "plan", CoordinatorSide.Person);
        progress.WriteLine($"Workflow '{definition.Id}': {definition.Steps.Count} steps, {plan.Total} activities per instance (per turn: {string.Join(" + ", plan.PerTurn)})");

        AzuriteProcess? azurite = null;
        if (settings.Storage is null)
        {
            progress.WriteLine("Starting a private Azurite ...");
            azurite = await AzuriteProcess.StartAsync(settings.AzuritePath, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            var connection = settings.Storage ?? azurite!.ConnectionString;
            var deleteTaskHubs = settings.Storage is not null;
            var run = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);

            progress.WriteLine("Coordinator: starting coordinator serve in-process (Azure Storage backend) ...");
            var coordinatorSide = await CoordinatorSide.StartAsync(
                definitionsPath, definition, Backend(settings, connection, "hbcoord" + run), cancellationToken).ConfigureAwait(false);
            LoadResult coordinator;
            try
            {
                coordinator = await MeasureAsync(coordinatorSide, settings, progress, "coordinator", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await coordinatorSide.StopAsync(deleteTaskHubs).ConfigureAwait(false);
            }

            progress.WriteLine("Bare Durable: starting the embedded sidecar with the bare orchestration ...");
            var bareSide = await BareDurableSide.StartAsync(plan, Backend(settings, connection, "hbbare" + run), cancellationToken).ConfigureAwait(false);
            LoadResult bare;
            try
            {
                bare = await MeasureAsync(bareSide, settings, progress, "bare", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await bareSide.StopAsync(deleteTaskHubs).ConfigureAwait(false);
            }

            Report.Write(progress, settings, plan, coordinator, bare);
        }
        finally
        {
            if (azurite is not null)
                await azurite.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static BackendSettings Backend(HostBenchSettings settings, string connection, string taskHub) =>
        new(connection, taskHub, settings.Partitions, settings.MaxQueuePollingInterval);

    private static async Task<LoadResult> MeasureAsync(
        IWorkflowDriver driver, HostBenchSettings settings, TextWriter progress, string label, CancellationToken cancellationToken)
    {
        var runner = new LoadRunner(driver, settings.Concurrency, settings.PollInterval, progress, label);
        if (settings.Warmup > 0)
        {
            progress.WriteLine($"  [{label}] warm-up: {settings.Warmup} instances (not measured)");
            await runner.RunAsync("warmup", settings.Warmup, cancellationToken).ConfigureAwait(false);
        }
        progress.WriteLine($"  [{label}] measuring {settings.Instances} instances, {settings.Concurrency} at a time");
        return await runner.RunAsync("bench", settings.Instances, cancellationToken).ConfigureAwait(false);
    }
}
