using Coordinator.Core.Ports;

namespace Coordinator.Application;

/// <summary>What waits for one person: their open steps and decisions in the running instances, soonest due first.</summary>
/// <param name="IsKnown">Whether any loaded definition or running instance names the person (an unknown id is likely a typo).</param>
/// <param name="Items">Their open items: steps they own (active or blocked), decision steps they own, blocks they decide.</param>
public sealed record PersonWork(string PersonId, bool IsKnown, IReadOnlyList<PersonWorkItem> Items)
{
    /// <summary>The task steps the person owns, active or blocked.</summary>
    public IEnumerable<PersonWorkItem> Steps => Items.Where(static i => i.Item.Kind == WorkKind.Step);

    /// <summary>The decisions waiting for the person: decision steps they own and blocks they decide.</summary>
    public IEnumerable<PersonWorkItem> Decisions => Items.Where(static i => i.Item.Kind != WorkKind.Step);
}

/// <summary>Someone the coordinator knows: from the roles of the loaded definitions and the running instances.</summary>
/// <param name="OpenItems">How many items wait for them in the running instances.</param>
public sealed record KnownPersonView(string PersonId, IReadOnlyList<string> Roles, int OpenItems);
