using Microsoft.DurableTask;

namespace Coordinator.Orchestration;

/// <summary>
/// The generic Durable orchestrator of Coordinator: one orchestration instance per workflow instance,
/// driving the pure <see cref="Core.Engine.CoordinationEngine"/>. Each turn it performs the engine's
/// actions as activities (fanned out with <c>Task.WhenAll</c>), publishes a <see cref="CoordinatorStatus"/>,
/// then waits for the next <see cref="CoordinatorEvents.HumanEvent"/> raced against a durable timer for
/// the engine's next wake-up. It continues as new every <see cref="CoordinatorInput.TurnsPerGeneration"/>
/// turns and returns a <see cref="CoordinatorResult"/> when the workflow completes.
/// </summary>
/// <remarks>
/// Start it with <c>client.ScheduleNewOrchestrationInstanceAsync(CoordinatorOrchestrator.Name,
/// CoordinatorInput.Create(definition, context), new StartOrchestrationOptions(instanceId))</c>.
/// See docs/orchestration.md for the loop, the time scale and the determinism rules it obeys.
/// </remarks>
public sealed class CoordinatorOrchestrator : TaskOrchestrator<CoordinatorInput, CoordinatorResult>
{
    /// <summary>The name the orchestrator is registered under.</summary>
    public const string Name = nameof(CoordinatorOrchestrator);

    public override async Task<CoordinatorResult> RunAsync(TaskOrchestrationContext context, CoordinatorInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            if (input is null)
                throw new ArgumentException($"{Name} needs a {nameof(CoordinatorInput)}; start it with CoordinatorInput.Create(definition, context).", nameof(input));
            input.Validate();
            return await new CoordinatorLoop(context, input).RunAsync();
        }
        catch (Exception e) when (LogFailure(context, e))
        {
            throw;
        }
    }

    /// <summary>An instance that fails (a bug, a broken input) says why in the log, once (replay-safe); the API shows the same reason.</summary>
    private static bool LogFailure(TaskOrchestrationContext context, Exception e)
    {
        Log.InstanceFailed(context.CreateReplaySafeLogger<CoordinatorOrchestrator>(), context.InstanceId, e.GetType().Name, e.Message, e);
        return false;
    }
}
