using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Orchestration.Activities;

namespace Coordinator.Orchestration;

/// <summary>
/// Turns the coordination actions of an engine turn into side-effect requests, as pure code (it runs
/// inside the orchestrator, so it must be deterministic): every action is audited; actions addressed
/// to people are notified; progress changes update the CRM record when the instance has a business
/// key; blocks, decisions, reassignments and completion notes are remembered. Every request carries
/// the idempotency key <c>{instance id}:{action key}</c>.
/// </summary>
public sealed class SideEffectPlanner
{
    internal static readonly JsonSerializerOptions DetailJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string instanceId;
    private readonly WorkflowDefinition definition;
    private readonly string? businessKey;
    private readonly bool crmShowsStanding;

    /// <param name="crmShowsStanding">The instance's <see cref="CoordinatorInput.CrmShowsStanding"/>: CRM updates carry where it stands, and reminders and escalations update the CRM too.</param>
    public SideEffectPlanner(string instanceId, WorkflowDefinition definition, string? businessKey, bool crmShowsStanding = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentNullException.ThrowIfNull(definition);
        this.instanceId = instanceId;
        this.definition = definition;
        this.businessKey = businessKey;
        this.crmShowsStanding = crmShowsStanding;
    }

    /// <summary>The idempotency key of every side effect of an action: orchestration instance id + the action's key.</summary>
    public static string IdempotencyKey(string instanceId, CoordinationAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return string.Concat(instanceId, ":", action.Key);
    }

    /// <summary>Whether an action changes the progress a CRM record mirrors.</summary>
    public static bool UpdatesCrm(CoordinationActionType type) => type is
        CoordinationActionType.InstanceStarted or CoordinationActionType.StepActivated or CoordinationActionType.StepSkipped
        or CoordinationActionType.StepBlocked or CoordinationActionType.DecisionMade or CoordinationActionType.StepReassigned
        or CoordinationActionType.StepCompleted or CoordinationActionType.InstanceCompleted;

    /// <summary>Whether an action carries knowledge worth remembering (what blocked, what was decided, why, by whom).</summary>
    public static bool IsMemorable(CoordinationAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action.Type switch
        {
            CoordinationActionType.StepBlocked or CoordinationActionType.DecisionMade or CoordinationActionType.StepReassigned => true,
            CoordinationActionType.StepCompleted or CoordinationActionType.StepProgress => !string.IsNullOrWhiteSpace(action.Text),
            _ => false,
        };
    }

    /// <summary>The audit entries of a turn, in action order; the first carries what caused the turn (<c>detail.turn</c>) when given.</summary>
    public AppendAuditEntriesRequest Audit(IReadOnlyList<CoordinationAction> actions, TurnCause? cause = null)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var entries = new AuditEntry[actions.Count];
        for (var i = 0; i < entries.Length; i++)
            entries[i] = AuditEntryFor(actions[i], i == 0 ? cause : null);
        return new AppendAuditEntriesRequest(entries);
    }

    /// <summary>The notification of an action; null when it is addressed to nobody.</summary>
    public NotifyPeopleRequest? Notify(CoordinationAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.To.Count == 0)
            return null;
        return new NotifyPeopleRequest(new Notification
        {
            IdempotencyKey = IdempotencyKey(instanceId, action),
            InstanceId = instanceId,
            WorkflowId = definition.Id,
            WorkflowTitle = definition.Title,
            BusinessKey = businessKey,
            StepTitle = StepTitle(action),
            Recipients = action.To,
            Action = action,
            Topics = definition.Guardrails?.Topics,
        });
    }

    /// <summary>Whether an action moves where the instance stands (a reminder: at risk or overdue; an escalation: a higher level) without changing its progress.</summary>
    public static bool MovesStanding(CoordinationActionType type) => type is CoordinationActionType.Reminder or CoordinationActionType.Escalation;

    /// <summary>
    /// The CRM update of an action; null when the action changes no progress (nor, for instances whose CRM shows where
    /// they stand, the standing) or the instance has no business key. <paramref name="state"/> is the instance after the
    /// action's turn: the standing is computed from it at the action's time (pure, so a replay computes the same).
    /// </summary>
    public UpdateCrmRequest? Crm(CoordinationAction action, InstanceState? state = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (businessKey is null)
            return null;
        var standing = crmShowsStanding && state is not null;
        if (!UpdatesCrm(action.Type) && !(standing && MovesStanding(action.Type)))
            return null;
        return new UpdateCrmRequest(new CrmUpdate
        {
            WorkflowVersion = definition.Version,
            Object = definition.CrmObject,
            Properties = definition.Crm?.Properties ?? CrmPropertyNames.Default,
            Standing = standing ? InstanceHealths.Of(definition, state!, action.At) : null,
            Sequence = action.Sequence,
            IdempotencyKey = IdempotencyKey(instanceId, action),
            InstanceId = instanceId,
            WorkflowId = definition.Id,
            BusinessKey = businessKey,
            Change = action.Type.WireName(),
            At = action.At,
            StepId = action.StepId,
            StepTitle = StepTitle(action),
            Owners = action.Type is CoordinationActionType.StepActivated or CoordinationActionType.StepReassigned ? action.To : [],
            Due = action.Due,
            Note = action.Option is { } option ? $"{option}: {action.Reason}" : action.Reason,
        });
    }

    /// <summary>The memory record of an action; null when the action is not memorable.</summary>
    public RecordMemoryRequest? Memory(CoordinationAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!IsMemorable(action))
            return null;
        var step = StepTitle(action) ?? action.StepId;
        var by = action.By ?? AuditEntry.CoordinatorActor;
        var text = action.Type switch
        {
            CoordinationActionType.StepBlocked => $"{by} reported \"{step}\" blocked: {action.Reason}",
            CoordinationActionType.DecisionMade => $"{by} chose \"{action.Option}\"{(action.Reason is { } title ? $" ({title})" : "")} on \"{step}\"",
            CoordinationActionType.StepReassigned => $"{by} reassigned \"{step}\" to {string.Join(", ", action.To)}{(action.Reason is { } why ? $": {why}" : "")}",
            _ => $"{by} finished \"{step}\": {action.Text}",
        };
        return new RecordMemoryRequest(new MemoryRecord
        {
            IdempotencyKey = IdempotencyKey(instanceId, action),
            InstanceId = instanceId,
            WorkflowId = definition.Id,
            BusinessKey = businessKey,
            StepId = action.StepId,
            Kind = action.Type.WireName(),
            By = action.By,
            At = action.At,
            Text = text,
        });
    }

    /// <summary>
    /// What the instance waits on in <paramref name="state"/>, for the read model of open work (see
    /// <see cref="InstanceWork"/>): each owner of an active or blocked task step, each owner of an active
    /// decision step, each decider of a block; the roles the instance gives people (owners, deciders,
    /// people from the start context). <paramref name="version"/> orders the snapshots of the instance.
    /// </summary>
    public ProjectWorkRequest Work(InstanceState state, IReadOnlyDictionary<string, string> context, double timeScale, long version)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var people = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void AddRole(string person, string? role)
        {
            if (!people.TryGetValue(person, out var roles))
                people[person] = roles = new SortedSet<string>(StringComparer.Ordinal);
            if (role is not null && !NotifyTargets.IsSpecial(role))
                roles.Add(role);
        }

        var completed = state.IsCompleted;
        var items = new List<WorkItem>();
        var waiting = new List<WaitingStepWork>();
        if (!completed)
        {
            foreach (var role in definition.Roles)
            {
                if (role.FromContext is { } field && context.TryGetValue(field, out var person) && !string.IsNullOrWhiteSpace(person))
                    AddRole(person, role.Id);
            }
            foreach (var step in state.Steps)
            {
                if (step.Status is not (StepStatus.Active or StepStatus.Blocked) || definition.FindStep(step.StepId) is not { } declared)
                    continue;
                var status = StepStatusNames.Of(step.Status);
                foreach (var owner in step.Owners)
                {
                    AddRole(owner, declared.Owner);
                    items.Add(declared.Type == StepType.Decision && step.Status == StepStatus.Active
                        ? new WorkItem(owner, step.StepId, declared.Title, WorkKind.Decision, status, step.DueAt, step.EscalationsFired, null, null, declared.Options)
                        : new WorkItem(owner, step.StepId, declared.Title, WorkKind.Step, status, step.DueAt, step.EscalationsFired, step.BlockReason, step.BlockedBy, []));
                }
            }
            foreach (var open in CoordinationEngine.WaitingOn(definition, state))
            {
                if (definition.FindStep(open.StepId) is not { } declared)
                    continue;
                var shown = open.Status == StepStatus.Blocked ? "blocked" : declared.Type == StepType.Decision ? "decision" : "active";
                waiting.Add(new WaitingStepWork(open.StepId, declared.Title, shown, open.WaitingOn, open.Due));
                if (open.Status != StepStatus.Blocked)
                    continue;
                var step = state.FindStep(open.StepId);
                foreach (var decider in open.WaitingOn)
                {
                    AddRole(decider, declared.OnBlocked?.DecisionBy ?? definition.ProcessOwner);
                    items.Add(new WorkItem(decider, open.StepId, declared.Title, WorkKind.Block, "blocked", open.Due, step?.EscalationsFired ?? 0,
                        step?.BlockReason, step?.BlockedBy, declared.OnBlocked?.Alternatives ?? []));
                }
            }
        }

        var work = new InstanceWork
        {
            Instance = new WorkInstance(instanceId, definition.Id, definition.Title, businessKey, state.StartedAt, timeScale),
            Version = version,
            Completed = completed,
            Waiting = waiting,
            Items = items,
            People = people.ToDictionary(static p => p.Key, static p => (IReadOnlyList<string>)[.. p.Value], StringComparer.Ordinal),
        };
        return new ProjectWorkRequest($"{instanceId}:work/{version}", work);
    }

    /// <summary>Audit action: a best-effort effect failed its attempts and waits for a durable retry (verdict WARN).</summary>
    public const string EffectFailed = "side_effect.failed";

    /// <summary>Audit action: a failed effect succeeded on a durable retry, under its original key.</summary>
    public const string EffectRecovered = "side_effect.recovered";

    /// <summary>Audit action: a failed effect was given up after <see cref="SideEffectPolicy.EffectGiveUpAfter"/> (verdict WARN).</summary>
    public const string EffectAbandoned = "side_effect.abandoned";

    /// <summary>
    /// The audit entry of what happened to a best-effort effect (<see cref="EffectFailed"/>,
    /// <see cref="EffectRecovered"/>, <see cref="EffectAbandoned"/>). Its key is the effect's key, its
    /// kind and the outcome (with the failure count for failures), so every execution of the turn
    /// writes it once. It carries no engine action number: it is not an engine action. The detail
    /// holds the effect kind, its key, the failure count, the error type and message (never the
    /// payload, so no contact details) and, for a failure, the wait before the next retry.
    /// </summary>
    public AuditEntry EffectAudit(PendingEffect effect, string outcome, DateTimeOffset at, TimeSpan? retryIn)
    {
        ArgumentNullException.ThrowIfNull(effect);
        ArgumentException.ThrowIfNullOrEmpty(outcome);
        var suffix = outcome == EffectFailed ? $"failed:{effect.Failures}" : outcome == EffectRecovered ? "recovered" : "abandoned";
        return new AuditEntry
        {
            IdempotencyKey = $"{effect.IdempotencyKey}:{effect.Kind}:{suffix}",
            At = at,
            InstanceId = instanceId,
            WorkflowId = definition.Id,
            WorkflowVersion = definition.Version,
            BusinessKey = businessKey,
            StepId = effect.StepId,
            Action = outcome,
            Actor = AuditEntry.CoordinatorActor,
            Verdict = outcome == EffectRecovered ? AuditVerdict.Allow : AuditVerdict.Warn,
            Detail = JsonSerializer.SerializeToElement(
                new EffectAuditDetail(
                    effect.Kind,
                    effect.IdempotencyKey,
                    effect.Failures,
                    outcome == EffectRecovered ? null : effect.LastError,
                    retryIn is { } wait ? (long)wait.TotalSeconds : null),
                DetailJson),
        };
    }

    private AuditEntry AuditEntryFor(CoordinationAction action, TurnCause? cause) => new()
    {
        IdempotencyKey = IdempotencyKey(instanceId, action),
        At = action.At,
        InstanceId = instanceId,
        WorkflowId = definition.Id,
        WorkflowVersion = definition.Version,
        BusinessKey = businessKey,
        StepId = action.StepId,
        Action = action.Type.WireName(),
        Actor = action.By ?? AuditEntry.CoordinatorActor,
        Verdict = AuditVerdict.Allow,
        Detail = JsonSerializer.SerializeToElement(
            new AuditDetail(
                action.Sequence,
                action.Key,
                definition.ContentHash,
                action.To,
                action.Level,
                action.Reason,
                action.Option,
                action.Options?.Select(static o => o.Id).ToArray(),
                action.Due,
                action.Text,
                action.Steps,
                cause),
            DetailJson),
    };

    private string? StepTitle(CoordinationAction action) =>
        action.StepId is { } id ? definition.FindStep(id)?.Title : null;

    /// <summary>The <see cref="AuditEntry.Detail"/> of a side-effect outcome.</summary>
    private sealed record EffectAuditDetail(string Effect, string EffectKey, int Failures, string? Error, long? RetryInSeconds);

    /// <summary>The <see cref="AuditEntry.Detail"/> of an action (person ids only, no names).</summary>
    private sealed record AuditDetail(
        long Sequence,
        string Key,
        string DefinitionHash,
        IReadOnlyList<string> To,
        int? Level,
        string? Reason,
        string? Option,
        IReadOnlyList<string>? Options,
        DateTimeOffset? Due,
        string? Text,
        IReadOnlyList<StepSnapshot>? Steps,
        TurnCause? Turn);
}
