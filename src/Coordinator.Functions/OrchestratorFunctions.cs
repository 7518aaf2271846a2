using Coordinator.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Coordinator.Functions;

/// <summary>The orchestrator trigger: Durable Functions runs the shared <see cref="CoordinatorOrchestrator"/> (the extension binds <paramref name="input"/> from the instance input).</summary>
public static class OrchestratorFunctions
{
    [Function(CoordinatorOrchestrator.Name)]
    public static Task<CoordinatorResult> RunCoordinator([OrchestrationTrigger] TaskOrchestrationContext context, CoordinatorInput input) =>
        new CoordinatorOrchestrator().RunAsync(context, input);
}
