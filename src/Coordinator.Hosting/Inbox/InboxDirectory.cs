using Coordinator.Core.Ports;
using Coordinator.Orchestration;

namespace Coordinator.Hosting.Inbox;

/// <summary>
/// What one inbox page shows, from the application core's read model of open work: the people known,
/// and either one person's steps and decisions or (no person picked) the running instances with whom
/// each waits on. A few indexed reads, whatever the number of running instances.
/// </summary>
internal sealed class InboxDirectory
{
    /// <summary>The most running instances the welcome page lists.</summary>
    public const int MaxInstances = 200;

    private readonly IReadOnlyList<OwnedStep> steps;
    private readonly IReadOnlyList<PendingDecision> decisions;
    private readonly bool knowsPerson;

    private InboxDirectory(
        IReadOnlyList<InboxPerson> people, IReadOnlyList<RunningInstance> running, IReadOnlyList<OwnedStep> steps, IReadOnlyList<PendingDecision> decisions, bool knowsPerson)
    {
        People = people;
        Running = running;
        this.steps = steps;
        this.decisions = decisions;
        this.knowsPerson = knowsPerson;
    }

    /// <summary>Every known person, by id, with their roles and how many items wait for them.</summary>
    public IReadOnlyList<InboxPerson> People { get; }

    /// <summary>The running instances (only when no person was asked for), newest first, with whom each waits on.</summary>
    public IReadOnlyList<RunningInstance> Running { get; }

    /// <summary>Whether the person the directory was loaded for is known (named by a definition or a running instance).</summary>
    public bool KnowsPerson => knowsPerson;

    /// <summary>The steps of the person the directory was loaded for, soonest due first.</summary>
    public IReadOnlyList<OwnedStep> Steps => steps;

    /// <summary>The decisions waiting for the person the directory was loaded for, soonest due first.</summary>
    public IReadOnlyList<PendingDecision> Decisions => decisions;

    /// <summary>Reads what a page shows: the people, and the work of <paramref name="personId"/> or (none) the running instances.</summary>
    public static async Task<InboxDirectory> LoadAsync(CoordinatorService core, string? personId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var people = (await core.PeopleAsync(cancellationToken).ConfigureAwait(false))
            .Select(static p => new InboxPerson(p.PersonId, p.Roles, p.OpenItems)).ToArray();
        if (string.IsNullOrEmpty(personId))
        {
            var running = await core.RunningAsync(MaxInstances, cancellationToken).ConfigureAwait(false);
            return new InboxDirectory(people, [.. running.Select(r => new RunningInstance(
                InstanceOf(r.Instance, now), r.Instance.StartedAt,
                [.. r.Waiting.Select(static w => new WaitingItem(w.StepId, w.Title, w.Status, w.People, w.Due))]))], [], [], knowsPerson: false);
        }

        var work = await core.WaitingForAsync(personId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var owned = work.Steps.Select(w => new OwnedStep(
            InstanceOf(w.Instance, now), w.Item.StepId, w.Item.Title, w.Item.Status, w.Item.Due, w.Item.EscalationLevel, w.Item.BlockReason)).ToArray();
        var pending = work.Decisions.Select(w => new PendingDecision(
            InstanceOf(w.Instance, now), w.Item.StepId, w.Item.Title, w.Item.Kind == WorkKind.Block, w.Item.Options, w.Item.Due, w.Item.BlockReason, w.Item.BlockedBy)).ToArray();
        return new InboxDirectory(people, [], owned, pending, work.IsKnown);
    }

    /// <summary>The instance as the page shows it, with its workflow time now (it may run faster than real time).</summary>
    private static InboxInstance InstanceOf(WorkInstance instance, DateTimeOffset now) => new(
        instance.InstanceId, instance.WorkflowId, instance.WorkflowTitle, instance.BusinessKey,
        new WorkflowClock(instance.StartedAt, instance.TimeScale).ToWorkflowTime(now));
}
