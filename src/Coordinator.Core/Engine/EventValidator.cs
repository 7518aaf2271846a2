using Coordinator.Core.Definitions;

namespace Coordinator.Core.Engine;

/// <summary>Decides whether a human event is acceptable in a state, and says why not.</summary>
internal static class EventValidator
{
    public static EventValidation Validate(CompiledDefinition definition, InstanceState state, HumanEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (state.CompletedAt is { } completed)
            return EventValidation.Reject($"The instance completed at {completed:u}; it accepts no more events.");

        var index = definition.IndexOf(e.StepId ?? "");
        if (index < 0)
        {
            return EventValidation.Reject(
                $"Unknown step '{e.StepId}'. The steps of '{definition.Definition.Id}' are: {string.Join(", ", definition.Definition.Steps.Select(static s => s.Id))}.");
        }
        if (string.IsNullOrWhiteSpace(e.By) || !definition.IsKnownPerson(e.By, state.Context))
            return EventValidation.Reject($"Unknown person '{e.By}': not a member of any role of '{definition.Definition.Id}' nor named in the start context.");

        var step = definition.Steps[index];
        var s = state.Steps[index];
        switch (s.Status)
        {
            case StepStatus.Pending:
                return EventValidation.Reject($"Step '{step.Id}' is not active yet: it waits for {string.Join(", ", Unfinished(definition, state, step))}.");
            case StepStatus.Done:
                return EventValidation.Reject($"Step '{step.Id}' is already done (since {s.FinishedAt:u}).");
            case StepStatus.Skipped:
                return EventValidation.Reject($"Step '{step.Id}' was skipped; it takes no events.");
        }

        return e.Type switch
        {
            HumanEventType.Done when step.IsDecision => EventValidation.Reject(
                $"Step '{step.Id}' is a decision: finish it with a decide event naming one of its options ({Ids(step.Definition.Options)})."),
            HumanEventType.Done or HumanEventType.Progress => MayAct(definition, state, index, e.By),
            HumanEventType.Blocked => ValidateBlock(definition, state, index, e),
            HumanEventType.Decide => ValidateDecision(definition, state, index, e),
            HumanEventType.Reassign => ValidateReassign(definition, state, index, e),
            _ => EventValidation.Reject($"Unknown event type '{e.Type}'; use done, progress, blocked, decide or reassign."),
        };
    }

    private static EventValidation ValidateBlock(CompiledDefinition definition, InstanceState state, int index, HumanEvent e)
    {
        var s = state.Steps[index];
        if (s.Status == StepStatus.Blocked)
            return EventValidation.Reject($"Step '{s.StepId}' is already blocked since {s.BlockedAt:u} ({s.BlockReason}); a decision on that block is pending.");
        if (string.IsNullOrWhiteSpace(e.Reason))
            return EventValidation.Reject($"A blocked event on '{s.StepId}' needs a reason: say what the step is waiting for.");
        return MayAct(definition, state, index, e.By);
    }

    private static EventValidation ValidateDecision(CompiledDefinition definition, InstanceState state, int index, HumanEvent e)
    {
        var step = definition.Steps[index];
        var s = state.Steps[index];
        if (step.ResolvesBlock(s, e.Option))
            return MayDecideBlock(definition, state, index, e.By);
        if (step.IsDecision)
        {
            if (step.FindOption(e.Option) is not null)
                return MayAct(definition, state, index, e.By);
            var choices = s.Status == StepStatus.Blocked && step.Alternatives.Length > 0
                ? $"{Ids(step.Definition.Options)}, or to resolve the block {Ids(step.Alternatives)}"
                : Ids(step.Definition.Options);
            return EventValidation.Reject($"Unknown option '{e.Option}' for decision '{step.Id}'; choose one of: {choices}.");
        }
        if (s.Status != StepStatus.Blocked)
            return EventValidation.Reject($"Step '{step.Id}' is neither blocked nor a decision step; there is nothing to decide.");
        return EventValidation.Reject(step.Alternatives.Length > 0
            ? $"Unknown alternative '{e.Option}' for the block on '{step.Id}'; choose one of: {Ids(step.Alternatives)}."
            : $"The block on '{step.Id}' has no alternatives; send decide without an option to resume the step.");
    }

    private static EventValidation ValidateReassign(CompiledDefinition definition, InstanceState state, int index, HumanEvent e)
    {
        if (string.IsNullOrWhiteSpace(e.To))
            return EventValidation.Reject($"A reassign event on '{state.Steps[index].StepId}' needs 'to': the person id of the new owner.");
        if (!definition.IsKnownPerson(e.To, state.Context))
            return EventValidation.Reject($"Unknown person '{e.To}' in 'to': not a member of any role of '{definition.Definition.Id}' nor named in the start context.");
        return MayAct(definition, state, index, e.By);
    }

    /// <summary>Events on a step come from its owner, the lead of the owner's role, or the process owner.</summary>
    private static EventValidation MayAct(CompiledDefinition definition, InstanceState state, int index, string by)
    {
        var step = definition.Steps[index];
        var owners = state.Steps[index].Owners;
        var leads = InstanceRun.LeadPeople(definition, state.Context, step.Definition.Owner);
        var processOwner = InstanceRun.ResolveRole(definition, state.Context, definition.ProcessOwnerRole);
        if (owners.Contains(by) || leads.Contains(by) || processOwner.Contains(by))
            return EventValidation.Ok;
        return EventValidation.Reject(
            $"'{by}' may not act on step '{step.Id}': only its owner ({List(owners)}), the lead of role '{step.Definition.Owner}' ({List(leads)}) or the process owner ({List(processOwner)}) may.");
    }

    /// <summary>The decision on a block comes from the block policy's <c>decision_by</c> or the process owner.</summary>
    private static EventValidation MayDecideBlock(CompiledDefinition definition, InstanceState state, int index, string by)
    {
        var step = definition.Steps[index];
        var deciders = DecidersOf(definition, state, index);
        var processOwner = InstanceRun.ResolveRole(definition, state.Context, definition.ProcessOwnerRole);
        if (deciders.Contains(by) || processOwner.Contains(by))
            return EventValidation.Ok;
        return EventValidation.Reject(
            $"'{by}' may not decide the block on '{step.Id}': only {step.DecisionBy} ({List(deciders)}) or the process owner ({List(processOwner)}) may.");
    }

    /// <summary>The people a block decision on a step waits on.</summary>
    internal static IReadOnlyList<string> DecidersOf(CompiledDefinition definition, InstanceState state, int index)
    {
        var step = definition.Steps[index];
        return step.DecisionBy switch
        {
            NotifyTargets.Owner => state.Steps[index].Owners,
            NotifyTargets.Lead => InstanceRun.LeadPeople(definition, state.Context, step.Definition.Owner),
            NotifyTargets.ProcessOwner => InstanceRun.ResolveRole(definition, state.Context, definition.ProcessOwnerRole),
            var role => InstanceRun.ResolveRole(definition, state.Context, role),
        };
    }

    private static IEnumerable<string> Unfinished(CompiledDefinition definition, InstanceState state, CompiledStep step)
    {
        foreach (var d in step.Dependencies)
        {
            if (!state.Steps[d].Status.IsFinished())
                yield return definition.Steps[d].Id;
        }
    }

    private static string Ids(IReadOnlyList<DecisionOption> options) => string.Join(", ", options.Select(static o => o.Id));

    private static string List(IReadOnlyList<string> people) => people.Count == 0 ? "nobody" : string.Join(", ", people);
}
