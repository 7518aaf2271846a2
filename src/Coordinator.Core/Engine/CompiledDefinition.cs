using System.Runtime.CompilerServices;
using Coordinator.Core.Definitions;

namespace Coordinator.Core.Engine;

/// <summary>
/// An index of a definition for the engine's hot paths: steps by id and position, dependency and
/// dependent lists, reminder offsets and escalation levels in firing order, role lookups.
/// Immutable; cached per definition instance (a weak table, so it never keeps definitions alive).
/// </summary>
internal sealed class CompiledDefinition
{
    private static readonly ConditionalWeakTable<WorkflowDefinition, CompiledDefinition> Cache = new();

    private readonly Dictionary<string, int> stepIndex;
    private readonly Dictionary<string, RoleDefinition> roles;
    private readonly HashSet<string> fixedPeople;
    private readonly string[] contextPeopleFields;

    private CompiledDefinition(WorkflowDefinition definition)
    {
        Definition = definition;
        roles = new Dictionary<string, RoleDefinition>(definition.Roles.Count, StringComparer.Ordinal);
        fixedPeople = new HashSet<string>(StringComparer.Ordinal);
        var fields = new List<string>();
        foreach (var role in definition.Roles)
        {
            roles[role.Id] = role;
            fixedPeople.UnionWith(role.People);
            if (role.FromContext is { } field)
                fields.Add(field);
        }
        contextPeopleFields = [.. fields];

        stepIndex = new Dictionary<string, int>(definition.Steps.Count, StringComparer.Ordinal);
        for (var i = 0; i < definition.Steps.Count; i++)
            stepIndex[definition.Steps[i].Id] = i;

        Steps = new CompiledStep[definition.Steps.Count];
        var dependents = new List<int>[Steps.Length];
        for (var i = 0; i < Steps.Length; i++)
            dependents[i] = [];
        for (var i = 0; i < Steps.Length; i++)
        {
            var step = definition.Steps[i];
            var dependencies = new List<int>(step.After.Count + 1);
            foreach (var after in step.After)
                dependencies.Add(RequireStep(after, step.Id, "after"));
            var decisionStep = -1;
            if (step.When?.Decision is { } decision)
            {
                // A condition on a decision can only be evaluated once the decision is made.
                decisionStep = RequireStep(decision, step.Id, "when.decision");
                if (!dependencies.Contains(decisionStep))
                    dependencies.Add(decisionStep);
            }
            foreach (var d in dependencies)
                dependents[d].Add(i);
            Steps[i] = new CompiledStep(i, step, [.. dependencies], decisionStep, definition.RemindersFor(step), definition.EscalationFor(step));
        }
        for (var i = 0; i < Steps.Length; i++)
            Steps[i].Dependents = [.. dependents[i]];

        ProcessOwnerRole = definition.ProcessOwner;
    }

    public WorkflowDefinition Definition { get; }

    public CompiledStep[] Steps { get; }

    public string ProcessOwnerRole { get; }

    public static CompiledDefinition For(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Cache.GetValue(definition, static d => new CompiledDefinition(d));
    }

    /// <summary>The position of a step, or -1.</summary>
    public int IndexOf(string stepId) => stepIndex.TryGetValue(stepId, out var index) ? index : -1;

    public RoleDefinition? Role(string roleId) => roles.GetValueOrDefault(roleId);

    /// <summary>Whether a person id belongs to some role, fixed or taken from the start context.</summary>
    public bool IsKnownPerson(string person, IReadOnlyDictionary<string, string> context)
    {
        if (fixedPeople.Contains(person))
            return true;
        foreach (var field in contextPeopleFields)
        {
            if (context.TryGetValue(field, out var value) && value == person)
                return true;
        }
        return false;
    }

    /// <summary>The start-context fields that name people (roles with <c>from_context</c>).</summary>
    public IReadOnlyList<string> ContextPeopleFields => contextPeopleFields;

    private int RequireStep(string stepId, string referencedBy, string where) =>
        stepIndex.TryGetValue(stepId, out var index)
            ? index
            : throw new InvalidOperationException(
                $"Step '{referencedBy}' names unknown step '{stepId}' in {where}; the definition '{Definition.Id}' must be validated before it is run.");
}

/// <summary>One step of a <see cref="CompiledDefinition"/>.</summary>
internal sealed class CompiledStep
{
    public CompiledStep(int index, StepDefinition definition, int[] dependencies, int decisionStep, ReminderRule reminders, EscalationRule? escalation)
    {
        Index = index;
        Definition = definition;
        Dependencies = dependencies;
        DecisionStep = decisionStep;

        // Offsets largest first: their reminder times come in ascending order.
        var offsets = reminders.BeforeDue.Distinct().ToArray();
        Array.Sort(offsets, static (a, b) => b.CompareTo(a));
        BeforeDue = offsets;
        OverdueEvery = reminders.OverdueEvery is { } every && every > TimeSpan.Zero ? every : null;

        if (escalation is { Levels.Count: > 0 })
        {
            Silence = escalation.Silence;
            var levels = new EscalationStage[escalation.Levels.Count];
            for (var i = 0; i < levels.Length; i++)
                levels[i] = new EscalationStage(i + 1, escalation.Levels[i].After, escalation.Levels[i].Notify);
            // Stable: levels with equal delays fire in declaration order.
            Levels = [.. levels.OrderBy(static l => l.After)];
        }
        else
        {
            Levels = [];
        }

        var policy = definition.OnBlocked;
        Alternatives = policy?.Alternatives.ToArray() ?? [];
        BlockNotify = policy is { Notify.Count: > 0 } ? policy.Notify : [NotifyTargets.Lead];
        DecisionBy = policy?.DecisionBy ?? NotifyTargets.ProcessOwner;
    }

    public int Index { get; }

    public StepDefinition Definition { get; }

    public string Id => Definition.Id;

    public bool IsDecision => Definition.Type == StepType.Decision;

    /// <summary>Steps that must be finished first: <c>after</c>, plus the decision a <c>when</c> refers to.</summary>
    public int[] Dependencies { get; }

    public int[] Dependents { get; internal set; } = [];

    /// <summary>The decision step of a <c>when: {decision, is}</c> condition, or -1.</summary>
    public int DecisionStep { get; }

    public TimeSpan[] BeforeDue { get; }

    public TimeSpan? OverdueEvery { get; }

    public TimeSpan Silence { get; }

    /// <summary>Escalation levels in firing order (by delay); empty when the step does not escalate.</summary>
    public EscalationStage[] Levels { get; }

    public DecisionOption[] Alternatives { get; }

    public IReadOnlyList<string> BlockNotify { get; }

    public string DecisionBy { get; }

    public DecisionOption? FindAlternative(string? id) => Find(Alternatives, id);

    /// <summary>
    /// Whether a <c>decide</c> with this option resolves the pending block (rather than deciding a
    /// decision step): one of the alternatives, or no option when the block policy offers none.
    /// </summary>
    public bool ResolvesBlock(StepState state, string? option) =>
        state.Status == StepStatus.Blocked && (FindAlternative(option) is not null || (Alternatives.Length == 0 && option is null));

    public DecisionOption? FindOption(string? id) => Find(Definition.Options, id);

    private static DecisionOption? Find(IReadOnlyList<DecisionOption> options, string? id)
    {
        if (id is null)
            return null;
        foreach (var option in options)
        {
            if (option.Id == id)
                return option;
        }
        return null;
    }
}

/// <summary>An escalation level: its declared 1-based number, delay after the silence threshold, and targets.</summary>
internal sealed record EscalationStage(int Number, TimeSpan After, IReadOnlyList<string> Notify);
