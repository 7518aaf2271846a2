using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Ports;

/// <summary>
/// A change of an instance's progress to mirror on the CRM record named by the business key
/// (a step activated, blocked, decided, finished; the instance started or completed).
/// </summary>
public sealed record CrmUpdate
{
    /// <summary>Instance id + action key.</summary>
    public required string IdempotencyKey { get; init; }

    public required string InstanceId { get; init; }

    public required string WorkflowId { get; init; }

    /// <summary>The CRM record's business identifier (deal id, claim number).</summary>
    public required string BusinessKey { get; init; }

    /// <summary>What changed, as the coordination action's wire name (<c>step.activated</c>, <c>instance.completed</c>, ...).</summary>
    public required string Change { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? StepId { get; init; }

    public string? StepTitle { get; init; }

    /// <summary>Person ids now responsible for the step (owners on activation or reassignment).</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];

    /// <summary>The step's deadline, where one applies.</summary>
    public DateTimeOffset? Due { get; init; }

    /// <summary>A short human-readable note: the block reason, the decision, the skip reason.</summary>
    public string? Note { get; init; }

    /// <summary>The version of the definition the instance runs (its <c>crm:</c> section is in <see cref="Object"/> and <see cref="Properties"/>).</summary>
    public int WorkflowVersion { get; init; }

    /// <summary>The CRM object type the business key names.</summary>
    public CrmObjectType Object { get; init; } = CrmObjectType.Deal;

    /// <summary>The property names the instance's definition writes.</summary>
    public CrmPropertyNames Properties { get; init; } = CrmPropertyNames.Default;

    /// <summary>
    /// Where the instance stands after the turn of this change (null for instances started before the CRM showed
    /// it: they only send the change). Every update of one turn carries the same standing.
    /// </summary>
    public InstanceStanding? Standing { get; init; }

    /// <summary>The engine's action number: orders the updates of one instance (a later one supersedes an earlier one's standing).</summary>
    public long Sequence { get; init; }
}

/// <summary>Keeps the CRM in sync with running instances.</summary>
public interface ICrmUpdater
{
    /// <summary>Applies the update. Idempotent by <see cref="CrmUpdate.IdempotencyKey"/>; throws when the CRM cannot be updated.</summary>
    Task<SideEffectOutcome> UpdateAsync(CrmUpdate update, CancellationToken cancellationToken = default);
}
