using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Orchestration;
using Microsoft.DurableTask.Client;

namespace Coordinator.Hosting.Inbox;

/// <summary>
/// Who waits on what across the running instances: each person's active and blocked steps and the
/// decisions waiting for them, read from the instances' custom status (no history replay).
/// </summary>
internal sealed class InboxDirectory
{
    /// <summary>The most running instances one page looks at (a local, single-user tool).</summary>
    public const int MaxInstances = 500;

    private readonly Dictionary<string, SortedSet<string>> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<OwnedStep>> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PendingDecision>> _decisions = new(StringComparer.Ordinal);
    private readonly List<RunningInstance> _running = [];

    private InboxDirectory(WorkflowRegistry registry)
    {
        foreach (var definition in registry.All)
        {
            foreach (var role in definition.Roles)
            {
                foreach (var person in role.People)
                    AddRole(person, role.Id);
            }
        }
    }

    /// <summary>Every known person, by id, with their roles and how many items wait for them.</summary>
    public IReadOnlyList<KnownPerson> People =>
        _roles.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new KnownPerson(p.Key, [.. p.Value], StepsOf(p.Key).Count + DecisionsOf(p.Key).Count))
            .ToArray();

    /// <summary>The running instances read, newest first, with whom each waits on.</summary>
    public IReadOnlyList<RunningInstance> Running => [.. _running.OrderByDescending(r => r.StartedAt).ThenBy(r => r.Instance.InstanceId, StringComparer.Ordinal)];

    public bool Knows(string personId) => _roles.ContainsKey(personId);

    /// <summary>The person's steps, soonest due first.</summary>
    public IReadOnlyList<OwnedStep> StepsOf(string personId) =>
        _steps.TryGetValue(personId, out var steps) ? steps.OrderBy(s => s.Due ?? DateTimeOffset.MaxValue).ToArray() : [];

    /// <summary>The decisions waiting for the person, soonest due first.</summary>
    public IReadOnlyList<PendingDecision> DecisionsOf(string personId) =>
        _decisions.TryGetValue(personId, out var decisions) ? decisions.OrderBy(d => d.Due ?? DateTimeOffset.MaxValue).ToArray() : [];

    /// <summary>Reads the running coordinator instances (at most <see cref="MaxInstances"/>).</summary>
    public static async Task<InboxDirectory> LoadAsync(
        DurableTaskClient client, WorkflowRegistry registry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var directory = new InboxDirectory(registry);
        var query = new OrchestrationQuery
        {
            Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending],
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        var read = 0;
        await foreach (var metadata in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (metadata.Name != nameof(CoordinatorOrchestrator))
                continue;
            directory.Add(metadata, now);
            if (++read >= MaxInstances)
                break;
        }
        return directory;
    }

    private void Add(OrchestrationMetadata metadata, DateTimeOffset now)
    {
        var input = metadata.ReadInputAs<CoordinatorInput>();
        if (input is null)
            return;
        var definition = input.Definition;
        var status = metadata.ReadCustomStatusAs<CoordinatorStatus>();
        if (status is null)
        {
            // Still starting: its first turn has not set the status yet.
            _running.Add(new RunningInstance(new InboxInstance(metadata.InstanceId, definition.Id, definition.Title, input.BusinessKey, now), metadata.CreatedAt, []));
            return;
        }

        var workflowNow = new WorkflowClock(status.Instance.StartedAt, status.TimeScale).ToWorkflowTime(now);
        var instance = new InboxInstance(metadata.InstanceId, definition.Id, definition.Title, input.BusinessKey, workflowNow);
        var waitingItems = new List<WaitingItem>();
        _running.Add(new RunningInstance(instance, metadata.CreatedAt, waitingItems));
        foreach (var role in definition.Roles)
        {
            if (role.FromContext is { } field && input.Context.TryGetValue(field, out var person) && !string.IsNullOrWhiteSpace(person))
                AddRole(person, role.Id);
        }

        var view = CoordinatorService.ToView(metadata);
        foreach (var step in view.Steps)
        {
            if (step.Status is not ("active" or "blocked") || definition.FindStep(step.StepId) is not { } declared)
                continue;
            foreach (var owner in step.Owners)
            {
                AddRole(owner, declared.Owner);
                if (declared.Type == StepType.Decision && step.Status == "active")
                    Add(_decisions, owner, new PendingDecision(instance, step.StepId, step.Title, IsBlock: false, declared.Options, step.DueAt, null, null));
                else
                    Add(_steps, owner, new OwnedStep(instance, step.StepId, step.Title, step.Status, step.DueAt, step.EscalationLevel, step.BlockReason));
            }
        }

        foreach (var waiting in CoordinationEngine.WaitingOn(definition, status.InstanceWith(input.Context)))
        {
            if (definition.FindStep(waiting.StepId) is not { } declared)
                continue;
            var shownStatus = waiting.Status == StepStatus.Blocked ? "blocked" : declared.Type == StepType.Decision ? "decision" : "active";
            waitingItems.Add(new WaitingItem(waiting.StepId, declared.Title, shownStatus, waiting.WaitingOn, waiting.Due));
            if (waiting.Status != StepStatus.Blocked)
                continue;
            var snapshot = status.Instance.FindStep(waiting.StepId);
            var alternatives = declared.OnBlocked?.Alternatives ?? [];
            foreach (var decider in waiting.WaitingOn)
            {
                AddRole(decider, declared.OnBlocked?.DecisionBy ?? definition.ProcessOwner);
                Add(_decisions, decider, new PendingDecision(
                    instance, waiting.StepId, declared.Title, IsBlock: true, alternatives, waiting.Due, snapshot?.BlockReason, snapshot?.BlockedBy));
            }
        }
    }

    private void AddRole(string personId, string role)
    {
        if (!_roles.TryGetValue(personId, out var roles))
            _roles[personId] = roles = new SortedSet<string>(StringComparer.Ordinal);
        if (!NotifyTargets.IsSpecial(role))
            roles.Add(role);
    }

    private static void Add<T>(Dictionary<string, List<T>> index, string personId, T item)
    {
        if (!index.TryGetValue(personId, out var items))
            index[personId] = items = [];
        items.Add(item);
    }
}
