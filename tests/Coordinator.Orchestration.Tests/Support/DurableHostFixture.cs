using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Orchestration.Tests.Support;

/// <summary>
/// One in-process Durable Task host (real gRPC sidecar, in-memory backend, real replay) shared by the
/// durable tests, with recording ports and the standalone host's data converter. Tests tell their instances apart by instance id.
/// </summary>
public sealed class DurableHostFixture : IAsyncLifetime
{
    /// <summary>How long any single wait may take before the test fails (generous: the machine may be busy).</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    /// <summary>Fast retries so that injected failures cost milliseconds.</summary>
    public static readonly ActivityRetrySettings FastRetry = new(5, TimeSpan.FromMilliseconds(50), 2.0, TimeSpan.FromMilliseconds(400));

    private DurableTaskTestHost? host;

    public RecordingNotificationSender Notifications { get; } = new();
    public RecordingAuditLog Audit { get; } = new();
    public RecordingCrmUpdater Crm { get; } = new();
    public RecordingMemoryStore Memory { get; } = new();
    public RecordingWorkProjection Work { get; } = new();

    public DurableTaskClient Client => (host ?? throw new InvalidOperationException("The Durable test host is not started.")).Client;

    public async Task InitializeAsync()
    {
        host = await DurableTaskTestHost.StartAsync(
            registry => registry.AddCoordinatorTasks(),
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    services.AddSingleton<INotificationSender>(Notifications);
                    services.AddSingleton<IAuditLog>(Audit);
                    services.AddSingleton<ICrmUpdater>(Crm);
                    services.AddSingleton<IMemoryStore>(Memory);
                    services.AddSingleton<IWorkProjection>(Work);
                    // What coordinator serve stores (see CoordinatorDataConverter).
                    services.ConfigureAll<DurableTaskWorkerOptions>(options => options.DataConverter = CoordinatorDataConverter.Instance);
                    services.ConfigureAll<DurableTaskClientOptions>(options => options.DataConverter = CoordinatorDataConverter.Instance);
                },
            });
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
            await host.DisposeAsync();
    }

    /// <summary>Terminates the instances that are still running (a failed test must not leave timers firing for the next ones).</summary>
    public async Task TerminateRunningAsync(IEnumerable<string> instanceIds)
    {
        foreach (var id in instanceIds)
        {
            var metadata = await Client.GetInstanceAsync(id);
            if (metadata is { IsRunning: true } || metadata?.RuntimeStatus == OrchestrationRuntimeStatus.Pending)
                await Client.TerminateInstanceAsync(id, "test finished");
        }
    }

    /// <summary>Starts a coordinator instance and returns its id.</summary>
    public async Task<string> StartAsync(
        WorkflowDefinition definition,
        IReadOnlyDictionary<string, string> context,
        double timeScale,
        int turnsPerGeneration = CoordinatorInput.DefaultTurnsPerGeneration,
        string? instanceId = null)
    {
        var input = CoordinatorInput.Create(definition, context, timeScale) with
        {
            TurnsPerGeneration = turnsPerGeneration,
            Retry = FastRetry,
        };
        return await StartAsync(input, instanceId);
    }

    /// <summary>Starts a coordinator instance with a prepared input (for instance one that carries an engine state over) and returns its id.</summary>
    public async Task<string> StartAsync(CoordinatorInput input, string? instanceId = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        instanceId ??= $"{input.Definition.Id}-{Guid.NewGuid():N}";
        return await Client.ScheduleNewOrchestrationInstanceAsync(CoordinatorOrchestrator.Name, input, new StartOrchestrationOptions(instanceId));
    }

    /// <summary>
    /// Polls the instance's custom status until <paramref name="condition"/> holds; fails the test after
    /// <paramref name="limit"/> (default <see cref="WaitLimit"/>) or when the instance fails.
    /// </summary>
    public async Task<CoordinatorStatus> WaitForStatusAsync(string instanceId, Func<CoordinatorStatus, bool> condition, string what, TimeSpan? limit = null)
    {
        using var timeout = new CancellationTokenSource(limit ?? WaitLimit);
        CoordinatorStatus? last = null;
        while (true)
        {
            var metadata = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
            if (metadata?.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
                throw new InvalidOperationException($"Instance {instanceId} ended as {metadata.RuntimeStatus} while waiting for {what}: {metadata.FailureDetails}");
            var status = metadata?.SerializedCustomStatus is null ? null : metadata.ReadCustomStatusAs<CoordinatorStatus>();
            if (status is not null)
            {
                last = status;
                if (condition(status))
                    return status;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(15), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Instance {instanceId} did not reach '{what}' within {limit ?? WaitLimit}. Last status: {Describe(last)}");
            }
        }
    }

    /// <summary>Raises a human event and waits until the orchestration has applied it; returns the status right after.</summary>
    public async Task<CoordinatorStatus> RaiseAndWaitAsync(string instanceId, HumanEvent humanEvent)
    {
        var before = await WaitForStatusAsync(instanceId, static _ => true, "a first status");
        await Client.RaiseEventAsync(instanceId, CoordinatorEvents.HumanEvent, humanEvent);
        var target = before.Progress.EventsProcessed + 1;
        return await WaitForStatusAsync(
            instanceId,
            s => s.Progress.EventsProcessed >= target,
            $"{humanEvent.Type} on '{humanEvent.StepId}' applied");
    }

    /// <summary>Waits for the instance to complete and returns its result; fails the test when it failed.</summary>
    public async Task<CoordinatorResult> WaitForCompletionAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(WaitLimit);
        var metadata = await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(
            metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"Instance {instanceId} ended as {metadata.RuntimeStatus}: {metadata.FailureDetails}");
        return metadata.ReadOutputAs<CoordinatorResult>() ?? throw new InvalidOperationException($"Instance {instanceId} completed without a result.");
    }

    private static string Describe(CoordinatorStatus? status) => status is null
        ? "none"
        : $"now {status.Progress.WorkflowNow:o}, events {status.Progress.EventsProcessed}, steps "
          + string.Join(", ", status.Instance.Steps.Select(s => $"{s.StepId}={s.Status}/esc{s.EscalationsFired}/rem{s.RemindersSent}"));
}

[CollectionDefinition(Name)]
public sealed class DurableCollection : ICollectionFixture<DurableHostFixture>
{
    public const string Name = "durable";
}
