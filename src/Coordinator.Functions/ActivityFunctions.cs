using Coordinator.Orchestration.Activities;
using Microsoft.Azure.Functions.Worker;

namespace Coordinator.Functions;

/// <summary>
/// The activity triggers: each runs the shared activity class (resolved from DI with its port) under the
/// name <see cref="Orchestration.CoordinatorOrchestrator"/> calls it by. <c>instanceId</c> comes from the
/// trigger's binding data.
/// </summary>
public sealed class ActivityFunctions(NotifyPeople notifyPeople, AppendAuditEntries appendAuditEntries, UpdateCrm updateCrm, RecordMemory recordMemory, ProjectWork projectWork)
{
    [Function(nameof(NotifyPeople))]
    public Task<NotifyPeopleResult> NotifyPeople([ActivityTrigger] NotifyPeopleRequest request, string instanceId) =>
        notifyPeople.RunAsync(new FunctionActivityContext(nameof(NotifyPeople), instanceId), request);

    [Function(nameof(AppendAuditEntries))]
    public Task<AppendAuditEntriesResult> AppendAuditEntries([ActivityTrigger] AppendAuditEntriesRequest request, string instanceId) =>
        appendAuditEntries.RunAsync(new FunctionActivityContext(nameof(AppendAuditEntries), instanceId), request);

    [Function(nameof(UpdateCrm))]
    public Task<UpdateCrmResult> UpdateCrm([ActivityTrigger] UpdateCrmRequest request, string instanceId) =>
        updateCrm.RunAsync(new FunctionActivityContext(nameof(UpdateCrm), instanceId), request);

    [Function(nameof(RecordMemory))]
    public Task<RecordMemoryResult> RecordMemory([ActivityTrigger] RecordMemoryRequest request, string instanceId) =>
        recordMemory.RunAsync(new FunctionActivityContext(nameof(RecordMemory), instanceId), request);

    [Function(nameof(ProjectWork))]
    public Task<ProjectWorkResult> ProjectWork([ActivityTrigger] ProjectWorkRequest request, string instanceId) =>
        projectWork.RunAsync(new FunctionActivityContext(nameof(ProjectWork), instanceId), request);
}
