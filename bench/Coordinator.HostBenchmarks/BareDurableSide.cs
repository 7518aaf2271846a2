using Coordinator.Hosting.Durable;
using IOrchestrationService = DurableTask.Core.IOrchestrationService;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordinator.HostBenchmarks;

/// <summary>The bare orchestration's input: how many activities to call in each turn.</summary>
internal sealed record BareInput(IReadOnlyList<int> ActivitiesPerTurn);

/// <summary>
/// The baseline: calls the turn's activities (all at once, as the coordinator does), publishes the
/// turn in its custom status, waits for one external event, and so on; completes after the last turn.
/// </summary>
internal sealed class BareOrchestration : TaskOrchestrator<BareInput, int>
{
    public const string EventName = "done";

    public override async Task<int> RunAsync(TaskOrchestrationContext context, BareInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var calls = 0;
        for (var turn = 0; turn < input.ActivitiesPerTurn.Count; turn++)
        {
            if (turn > 0)
                await context.WaitForExternalEvent<string>(EventName);
            var activities = new Task<int>[input.ActivitiesPerTurn[turn]];
            for (var i = 0; i < activities.Length; i++)
                activities[i] = context.CallActivityAsync<int>(nameof(BareActivity), i);
            calls += (await Task.WhenAll(activities)).Length;
            context.SetCustomStatus(turn);
        }
        return calls;
    }
}

/// <summary>The baseline's activity: returns its input.</summary>
internal sealed class BareActivity : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input);
}

/// <summary>
/// A bare Durable host on the same embedded sidecar and backend as <c>coordinator serve</c>, running
/// <see cref="BareOrchestration"/>, driven through the <see cref="DurableTaskClient"/>: the instance
/// waits at step k when its custom status is turn k.
/// </summary>
internal sealed class BareDurableSide : IWorkflowDriver
{
    private readonly WebApplication _app;
    private readonly IOrchestrationService _backend;
    private readonly DurableTaskClient _client;
    private readonly BareInput _input;

    private BareDurableSide(WebApplication app, IOrchestrationService backend, BareInput input)
    {
        _app = app;
        _backend = backend;
        _input = input;
        _client = app.Services.GetRequiredService<DurableTaskClient>();
    }

    public int Steps => _input.ActivitiesPerTurn.Count - 1;

    public static async Task<BareDurableSide> StartAsync(ActivityPlan plan, BackendSettings settings, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var options = settings.ToOptions();
        builder.Services.Configure<DurableBackendOptions>(o =>
        {
            o.Backend = options.Backend;
            o.StorageConnectionString = options.StorageConnectionString;
            o.TaskHub = options.TaskHub;
            o.PartitionCount = options.PartitionCount;
            o.MaxQueuePollingInterval = options.MaxQueuePollingInterval;
        });
        var sidecar = builder.AddEmbeddedDurableTask(registry => registry
            .AddOrchestrator<BareOrchestration>(nameof(BareOrchestration))
            .AddActivity<BareActivity>(nameof(BareActivity)),
            // The sidecar's socket directory (the bare side has no data folder of its own).
            Directory.CreateTempSubdirectory("coordinator-bare-").FullName);
        var app = builder.Build();
        app.MapEmbeddedDurableTask(sidecar);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await EmbeddedDurableTask.WaitUntilReachableAsync(app.Services.GetRequiredService<DurableTaskClient>(), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return new BareDurableSide(app, app.Services.GetRequiredService<EmbeddedBackend>().Service, new BareInput(plan.PerTurn));
    }

    public async Task<string> StartAsync(string key, CancellationToken cancellationToken) =>
        await _client.ScheduleNewOrchestrationInstanceAsync(nameof(BareOrchestration), _input, new StartOrchestrationOptions(key), cancellationToken).ConfigureAwait(false);

    public async Task<InstanceProgress> ReadAsync(string instanceId, CancellationToken cancellationToken)
    {
        var metadata = await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Bare instance {instanceId} does not exist.");
        if (metadata.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
            throw new InvalidOperationException($"Bare instance {instanceId} is {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
        var completed = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed;
        var turn = metadata.ReadCustomStatusAs<int?>() ?? -1;
        return new InstanceProgress(completed || turn >= Steps ? -1 : turn, completed);
    }

    public Task SendDoneAsync(string instanceId, int step, CancellationToken cancellationToken) =>
        _client.RaiseEventAsync(instanceId, BareOrchestration.EventName, "done", cancellationToken);

    public async Task<string> HistoryAsync(string instanceId)
    {
        var client = ((DurableTask.Core.IOrchestrationServiceClient)_backend);
        var state = await client.GetOrchestrationStateAsync(instanceId, allExecutions: false).ConfigureAwait(false);
        return await client.GetOrchestrationHistoryAsync(instanceId, state[0].OrchestrationInstance.ExecutionId).ConfigureAwait(false);
    }

    /// <summary>Stops the host; with <paramref name="deleteTaskHub"/>, removes its task hub from storage.</summary>
    public async Task StopAsync(bool deleteTaskHub)
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (deleteTaskHub)
            await _backend.DeleteAsync().ConfigureAwait(false);
    }
}
