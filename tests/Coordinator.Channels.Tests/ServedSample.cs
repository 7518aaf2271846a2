using Coordinator.Core.Definitions;
using Coordinator.Core.Ports;

namespace Coordinator.Channels.Tests;

/// <summary>The workflows a test host serves: the sample b2b onboarding, as shipped (its topics are its title and its steps' titles) or with declared topics.</summary>
internal sealed class ServedSample(params string[] declaredTopics) : IServedWorkflows
{
    public IReadOnlyList<WorkflowDefinition> Latest { get; } =
    [
        WorkflowLoader.LoadText(File.ReadAllText(Path.Combine(Coordinator.Testing.RepositoryPaths.Definitions, "b2b-onboarding.yaml")).TrimEnd()
            + (declaredTopics.Length == 0 ? "" : "\nguardrails:\n  topics: [" + string.Join(", ", declaredTopics.Select(t => $"\"{t}\"")) + "]") + "\n", "b2b-onboarding.yaml").Definition!,
    ];
}
