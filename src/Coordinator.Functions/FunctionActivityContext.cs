using Microsoft.DurableTask;

namespace Coordinator.Functions;

/// <summary>The <see cref="TaskActivityContext"/> handed to a shared activity class run by an activity trigger.</summary>
internal sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}
