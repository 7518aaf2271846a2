using System.Diagnostics;
using System.Globalization;
using Coordinator.Hosting;

namespace Coordinator.HostBenchmarks;

/// <summary>
/// One run: both hosts started side by side on one storage (each with its own task hub), then
/// measured in alternating rounds (coordinator first in odd rounds, bare first in even ones), so that
/// load from elsewhere on the machine falls on both sides alike.
/// </summary>
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
        CoordinatorSide? coordinatorSide = null;
        BareDurableSide? bareSide = null;
        var deleteTaskHubs = settings.Storage is not null;
        try
        {
            var connection = settings.Storage ?? azurite!.ConnectionString;
            var run = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);

            progress.WriteLine("Coordinator: starting coordinator serve in-process (Azure Storage backend) ...");
            coordinatorSide = await CoordinatorSide.StartAsync(
                definitionsPath, definition, Backend(settings, connection, "hbcoord" + run), cancellationToken).ConfigureAwait(false);
            progress.WriteLine("Bare Durable: starting the embedded sidecar with the bare orchestration ...");
            bareSide = await BareDurableSide.StartAsync(plan, Backend(settings, connection, "hbbare" + run), cancellationToken).ConfigureAwait(false);

            var coordinator = new Side("coordinator", coordinatorSide, settings, progress, azurite);
            var bare = new Side("bare", bareSide, settings, progress, azurite);
            await coordinator.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            await bare.WarmUpAsync(cancellationToken).ConfigureAwait(false);

            var rounds = new List<RoundResult>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                progress.WriteLine($"Round {round} of {settings.Rounds} ({(round % 2 == 1 ? "coordinator first" : "bare first")})");
                LoadResult c, b;
                if (round % 2 == 1)
                {
                    c = await coordinator.MeasureAsync(round, cancellationToken).ConfigureAwait(false);
                    b = await bare.MeasureAsync(round, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    b = await bare.MeasureAsync(round, cancellationToken).ConfigureAwait(false);
                    c = await coordinator.MeasureAsync(round, cancellationToken).ConfigureAwait(false);
                }
                rounds.Add(new RoundResult(round, c, b));
            }

            Report.Write(progress, settings, plan, rounds);
            if (settings.Timeline)
            {
                await Timeline.WriteAsync(progress, "coordinator", coordinatorSide, rounds[^1].Coordinator.LastInstanceId).ConfigureAwait(false);
                await Timeline.WriteAsync(progress, "bare", bareSide, rounds[^1].Bare.LastInstanceId).ConfigureAwait(false);
            }
        }
        finally
        {
            if (coordinatorSide is not null)
                await coordinatorSide.StopAsync(deleteTaskHubs).ConfigureAwait(false);
            if (bareSide is not null)
                await bareSide.StopAsync(deleteTaskHubs).ConfigureAwait(false);
            if (azurite is not null)
                await azurite.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static BackendSettings Backend(HostBenchSettings settings, string connection, string taskHub) =>
        new(connection, taskHub, settings.Partitions, settings.MaxQueuePollingInterval);

    /// <summary>One side's driver with its label, so that rounds use fresh business keys.</summary>
    private sealed class Side(string label, IWorkflowDriver driver, HostBenchSettings settings, TextWriter progress, AzuriteProcess? azurite)
    {
        private readonly LoadRunner _runner = new(driver, settings.Concurrency, settings.PollInterval, progress, label);

        public async Task WarmUpAsync(CancellationToken cancellationToken)
        {
            if (settings.Warmup == 0)
                return;
            progress.WriteLine($"  [{label}] warm-up: {settings.Warmup} instances (not measured)");
            await _runner.RunAsync("warmup", settings.Warmup, cancellationToken).ConfigureAwait(false);
        }

        public async Task<LoadResult> MeasureAsync(int round, CancellationToken cancellationToken)
        {
            progress.WriteLine($"  [{label}] measuring {settings.Instances} instances, {settings.Concurrency} at a time");
            using var self = Process.GetCurrentProcess();
            var hostCpu = self.TotalProcessorTime;
            var storageCpu = azurite?.ProcessorTime;
            var result = await _runner.RunAsync($"round{round.ToString(CultureInfo.InvariantCulture)}", settings.Instances, cancellationToken).ConfigureAwait(false);
            self.Refresh();
            return result with
            {
                HostCpu = self.TotalProcessorTime - hostCpu,
                StorageCpu = azurite?.ProcessorTime - storageCpu,
            };
        }
    }
}

/// <summary>What both sides measured in one round.</summary>
internal sealed record RoundResult(int Round, LoadResult Coordinator, LoadResult Bare)
{
    public double Ratio => Coordinator.InstancesPerSecond / Bare.InstancesPerSecond;
}
