using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Microsoft.DurableTask.Client;

namespace Coordinator.Orchestration.Tests.Support;

/// <summary>
/// The fixture as one test sees it: remembers the instances the test starts and terminates those
/// still running when the test ends.
/// </summary>
public sealed class InstanceTracker(DurableHostFixture fixture)
{
    private readonly List<string> started = [];

    public DurableTaskClient Client => fixture.Client;
    public RecordingNotificationSender Notifications => fixture.Notifications;
    public RecordingAuditLog Audit => fixture.Audit;
    public RecordingCrmUpdater Crm => fixture.Crm;
    public RecordingMemoryStore Memory => fixture.Memory;
    public RecordingWorkProjection Work => fixture.Work;

    public async Task<string> StartAsync(
        WorkflowDefinition definition,
        IReadOnlyDictionary<string, string> context,
        double timeScale,
        int turnsPerGeneration = CoordinatorInput.DefaultTurnsPerGeneration,
        string? instanceId = null)
    {
        var id = await fixture.StartAsync(definition, context, timeScale, turnsPerGeneration, instanceId);
        started.Add(id);
        return id;
    }

    public async Task<string> StartAsync(CoordinatorInput input, string? instanceId = null)
    {
        var id = await fixture.StartAsync(input, instanceId);
        started.Add(id);
        return id;
    }

    public Task<CoordinatorStatus> WaitForStatusAsync(string instanceId, Func<CoordinatorStatus, bool> condition, string what, TimeSpan? limit = null) =>
        fixture.WaitForStatusAsync(instanceId, condition, what, limit);

    public Task<CoordinatorStatus> RaiseAndWaitAsync(string instanceId, HumanEvent humanEvent) => fixture.RaiseAndWaitAsync(instanceId, humanEvent);

    public Task<CoordinatorResult> WaitForCompletionAsync(string instanceId) => fixture.WaitForCompletionAsync(instanceId);

    public Task DisposeAsync() => fixture.TerminateRunningAsync(started);
}
