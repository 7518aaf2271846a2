using Coordinator.Orchestration.Activities;
using Microsoft.DurableTask;

namespace Coordinator.Orchestration;

/// <summary>Registers the coordinator's orchestrator and activities with a Durable Task worker.</summary>
public static class CoordinatorTaskRegistration
{
    /// <summary>
    /// Adds <see cref="CoordinatorOrchestrator"/> and its activities by name. The activities resolve
    /// their ports (<c>INotificationSender</c>, <c>IAuditLog</c>, <c>ICrmUpdater</c>, <c>IMemoryStore</c>, <c>IWorkProjection</c>)
    /// from the worker's service provider, so register those services too.
    /// </summary>
    public static DurableTaskRegistry AddCoordinatorTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<CoordinatorOrchestrator>(nameof(CoordinatorOrchestrator));
        registry.AddActivity<NotifyPeople>(nameof(NotifyPeople));
        registry.AddActivity<AppendAuditEntries>(nameof(AppendAuditEntries));
        registry.AddActivity<UpdateCrm>(nameof(UpdateCrm));
        registry.AddActivity<RecordMemory>(nameof(RecordMemory));
        registry.AddActivity<ProjectWork>(nameof(ProjectWork));
        return registry;
    }
}
