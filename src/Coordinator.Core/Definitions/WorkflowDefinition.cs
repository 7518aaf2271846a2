using System.Text.Json.Serialization;

namespace Coordinator.Core.Definitions;

/// <summary>
/// A validated workflow definition, schema <c>coordinator/v1</c>. Immutable once published under
/// its (<see cref="Id"/>, <see cref="Version"/>); running instances carry the snapshot they
/// started with, so this type is JSON-serializable (it travels as orchestration input).
/// </summary>
public sealed record WorkflowDefinition
{
    public const string SchemaV1 = "coordinator/v1";

    public required string Schema { get; init; }
    public required string Id { get; init; }
    public required int Version { get; init; }
    public required string Title { get; init; }

    /// <summary>The role that owns the process (receives summaries, decides at decision points).</summary>
    public required string ProcessOwner { get; init; }

    /// <summary>Optional start-context field whose value names the instance (audit, CRM).</summary>
    public string? BusinessKey { get; init; }

    /// <summary>Roles in declaration order.</summary>
    public required IReadOnlyList<RoleDefinition> Roles { get; init; }

    public StepDefaults Defaults { get; init; } = StepDefaults.Empty;

    /// <summary>Steps in declaration order.</summary>
    public required IReadOnlyList<StepDefinition> Steps { get; init; }

    public SummaryRule? Summary { get; init; }

    /// <summary>How instances start by themselves from another system (<c>start:</c>); null when only the API starts them.</summary>
    public StartRules? Start { get; init; }

    /// <summary>How instances mirror their progress on the CRM (<c>crm:</c>); null for the defaults.</summary>
    public CrmRules? Crm { get; init; }

    /// <summary>What people may talk about with the coordinator in this workflow (<c>guardrails:</c>); null for its own domain.</summary>
    public GuardrailRules? Guardrails { get; init; }

    /// <summary>The topics the topic-guardrail keeps messages on: <c>guardrails.topics</c>, else the workflow's title and its steps' titles.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Topics => Guardrails?.Topics ?? [Title, .. Steps.Select(s => s.Title)];

    /// <summary>The CRM object type the business key names: <c>crm.object</c>, else <c>start.hubspot.object</c>, else a deal.</summary>
    [JsonIgnore]
    public CrmObjectType CrmObject => Crm?.Object ?? Start?.HubSpot?.Object ?? CrmObjectType.Deal;

    /// <summary>SHA-256 (lowercase hex) of the canonical JSON form of the definition; set by the loader.</summary>
    public string ContentHash { get; init; } = "";

    /// <summary>Where the definition came from and where each node is; not part of the content.</summary>
    [JsonIgnore]
    public SourceMap? Source { get; init; }

    public RoleDefinition? FindRole(string roleId) => Roles.FirstOrDefault(r => r.Id == roleId);

    public StepDefinition? FindStep(string stepId) => Steps.FirstOrDefault(s => s.Id == stepId);

    /// <summary>The reminder rule in force for a step: its own override, else the defaults.</summary>
    public ReminderRule RemindersFor(StepDefinition step) => step.Reminders ?? Defaults.Reminders ?? ReminderRule.None;

    /// <summary>The escalation rule in force for a step: its own override, else the defaults; null when none
    /// (no rule, or <c>escalation: none</c>).</summary>
    public EscalationRule? EscalationFor(StepDefinition step) => (step.Escalation ?? Defaults.Escalation) is { IsNone: false } rule ? rule : null;
}

/// <summary>A role and who fills it: fixed people, or a person id taken from the start context.</summary>
public sealed record RoleDefinition
{
    public required string Id { get; init; }
    public IReadOnlyList<string> People { get; init; } = [];
    public string? FromContext { get; init; }

    /// <summary>The role escalations go to first (what <c>lead</c> means for steps owned by this role).</summary>
    public string? Lead { get; init; }
}

public sealed record StepDefaults
{
    public static readonly StepDefaults Empty = new();
    public ReminderRule? Reminders { get; init; }
    public EscalationRule? Escalation { get; init; }
}

public enum StepType
{
    /// <summary>A piece of work an owner does and reports done.</summary>
    Task,

    /// <summary>A decision point: the owner picks one of the options.</summary>
    Decision,
}

public sealed record StepDefinition
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public StepType Type { get; init; } = StepType.Task;

    /// <summary>The owning role.</summary>
    public required string Owner { get; init; }

    /// <summary>Steps that must all be finished (done or skipped) before this one activates.</summary>
    public IReadOnlyList<string> After { get; init; } = [];

    /// <summary>Due time relative to activation; null when the step has no deadline.</summary>
    public TimeSpan? Due { get; init; }

    public StepCondition? When { get; init; }

    /// <summary>Override of the default reminders; <see cref="ReminderRule.None"/> for <c>reminders: none</c>; null = defaults.</summary>
    public ReminderRule? Reminders { get; init; }

    /// <summary>Override of the default escalation; <see cref="EscalationRule.None"/> for <c>escalation: none</c>; null = defaults.</summary>
    public EscalationRule? Escalation { get; init; }

    public BlockPolicy? OnBlocked { get; init; }

    /// <summary>The options of a decision step (empty for tasks).</summary>
    public IReadOnlyList<DecisionOption> Options { get; init; } = [];
}

/// <summary>
/// A step's activation condition. Exactly one form is set:
/// <c>{ field, in }</c> (start-context field value is one of the listed values) or
/// <c>{ decision, is }</c> (the named decision step chose that option).
/// </summary>
public sealed record StepCondition
{
    public string? Field { get; init; }
    public IReadOnlyList<string>? In { get; init; }
    public string? Decision { get; init; }
    public string? Is { get; init; }
}

public sealed record ReminderRule
{
    public static readonly ReminderRule None = new();

    /// <summary>Offsets before the due time at which the owner is reminded.</summary>
    public IReadOnlyList<TimeSpan> BeforeDue { get; init; } = [];

    /// <summary>Once overdue: a reminder at the due time, then every this long; null = no overdue reminders.</summary>
    public TimeSpan? OverdueEvery { get; init; }

    [JsonIgnore]
    public bool IsNone => BeforeDue.Count == 0 && OverdueEvery is null;
}

public sealed record EscalationRule
{
    /// <summary><c>escalation: none</c>: the step (or, in the defaults, every step) is never escalated.</summary>
    public static readonly EscalationRule None = new() { Silence = TimeSpan.Zero, Levels = [] };

    /// <summary>No human activity on an active step for this long starts the escalation levels.</summary>
    public required TimeSpan Silence { get; init; }

    public required IReadOnlyList<EscalationLevel> Levels { get; init; }

    /// <summary>True for <see cref="None"/>: a rule without levels never escalates.</summary>
    [JsonIgnore]
    public bool IsNone => Levels.Count == 0;
}

public sealed record EscalationLevel
{
    /// <summary>Delay after the silence threshold is reached.</summary>
    public required TimeSpan After { get; init; }

    /// <summary>Role ids, or the special targets <c>lead</c>, <c>owner</c> and <c>process_owner</c>.</summary>
    public required IReadOnlyList<string> Notify { get; init; }
}

public sealed record BlockPolicy
{
    /// <summary>Role ids or special targets notified with the block detail.</summary>
    public IReadOnlyList<string> Notify { get; init; } = [];

    /// <summary>The role (or special target) that picks an alternative.</summary>
    public string? DecisionBy { get; init; }

    public IReadOnlyList<DecisionOption> Alternatives { get; init; } = [];
}

public sealed record DecisionOption
{
    public required string Id { get; init; }
    public required string Title { get; init; }

    /// <summary>For block alternatives: moves the step's due time by this much when chosen.</summary>
    public TimeSpan? ExtendDue { get; init; }
}

/// <summary>The topic-guardrail's rules of a workflow: the topics people may talk about.</summary>
public sealed record GuardrailRules
{
    /// <summary>The most topics a workflow may declare.</summary>
    public const int MaxTopics = 50;

    /// <summary>The longest a topic may be, in characters.</summary>
    public const int MaxTopicLength = 80;

    public required IReadOnlyList<string> Topics { get; init; }
}

public sealed record SummaryRule
{
    /// <summary>Role ids or special targets (<c>process_owner</c>).</summary>
    public required IReadOnlyList<string> To { get; init; }

    public required TimeSpan Every { get; init; }
}

/// <summary>Special notification targets usable wherever roles are named in notify lists.</summary>
public static class NotifyTargets
{
    /// <summary>The lead role of the step owner's role.</summary>
    public const string Lead = "lead";

    /// <summary>The workflow's process owner role.</summary>
    public const string ProcessOwner = "process_owner";

    /// <summary>The step's current owner.</summary>
    public const string Owner = "owner";

    public static bool IsSpecial(string target) => target is Lead or ProcessOwner or Owner;
}
