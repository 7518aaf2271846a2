using System.Text.Json.Serialization;
using Coordinator.Core.Definitions;

namespace Coordinator.Core.Ports;

/// <summary>
/// What one instance waits on after a turn: the read model every channel's "what is waiting for me?"
/// reads (the web inbox today, the chat channels next), so that a person's open work costs a few
/// indexed reads instead of a scan of the running instances. Written by the orchestrator's
/// <c>ProjectWork</c> activity after each turn, idempotently: a snapshot replaces the instance's
/// previous one only when its <see cref="Version"/> is not older.
/// </summary>
public sealed record InstanceWork
{
    public required WorkInstance Instance { get; init; }

    /// <summary>
    /// Orders the snapshots of one instance: the number of its last engine action when it was taken (it
    /// only grows, across generations). A snapshot older than the stored one is ignored.
    /// </summary>
    public required long Version { get; init; }

    /// <summary>Whether the instance has completed (it then waits on nobody).</summary>
    public bool Completed { get; init; }

    /// <summary>The running steps and whom each waits on, in definition order (what the inbox's list of running instances shows).</summary>
    public required IReadOnlyList<WaitingStepWork> Waiting { get; init; }

    /// <summary>Every person's open items: one per (person, step, kind).</summary>
    public required IReadOnlyList<WorkItem> Items { get; init; }

    /// <summary>The people the instance names and their roles in it (current owners, deciders, people from the start context).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> People { get; init; }
}

/// <summary>The instance an item of work belongs to.</summary>
/// <param name="StartedAt">When the instance started (real time; workflow time starts there too).</param>
/// <param name="TimeScale">How many times faster than real time its workflow time runs (to tell what is overdue now).</param>
public sealed record WorkInstance(string InstanceId, string WorkflowId, string WorkflowTitle, string? BusinessKey, DateTimeOffset StartedAt, double TimeScale);

/// <summary>What kind of open item a person has on a step.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkKind>))]
public enum WorkKind
{
    /// <summary>A task step the person owns, active or blocked.</summary>
    Step,

    /// <summary>A decision step the person owns.</summary>
    Decision,

    /// <summary>A block the person decides (one of its alternatives).</summary>
    Block,
}

/// <summary>One open item of one person.</summary>
/// <param name="Status">The step's status: <c>active</c> or <c>blocked</c>.</param>
/// <param name="Due">The step's deadline, in the instance's workflow time.</param>
/// <param name="EscalationLevel">Escalation levels fired in the step's current silence.</param>
/// <param name="Options">The choices: a decision step's options, or a block's alternatives.</param>
public sealed record WorkItem(
    string PersonId,
    string StepId,
    string Title,
    WorkKind Kind,
    string Status,
    DateTimeOffset? Due,
    int EscalationLevel,
    string? BlockReason,
    string? BlockedBy,
    IReadOnlyList<DecisionOption> Options);

/// <summary>A running step and the people it waits on: its owners, or the deciders while it is blocked.</summary>
/// <param name="Status"><c>active</c>, <c>blocked</c> or <c>decision</c> (an active decision step).</param>
public sealed record WaitingStepWork(string StepId, string Title, string Status, IReadOnlyList<string> People, DateTimeOffset? Due);

/// <summary>One person's open item with its instance.</summary>
public sealed record PersonWorkItem(WorkInstance Instance, WorkItem Item);

/// <summary>A running instance and whom it waits on.</summary>
public sealed record RunningWork(WorkInstance Instance, IReadOnlyList<WaitingStepWork> Waiting);

/// <summary>Where a running instance stands: whom its running steps wait on, and the reason of each block.</summary>
public sealed record WorkStanding(WorkInstance Instance, IReadOnlyList<WaitingStepWork> Waiting, IReadOnlyList<StepBlock> Blocks);

/// <summary>A blocked step's reason and who reported it.</summary>
public sealed record StepBlock(string StepId, string Reason, string? BlockedBy);

/// <summary>Writes the read model of open work (see <see cref="InstanceWork"/>).</summary>
public interface IWorkProjection
{
    /// <summary>
    /// Replaces the instance's snapshot with <paramref name="work"/> unless a newer one (a greater
    /// <see cref="InstanceWork.Version"/>) is stored. Idempotent. True when written, false when a newer one was kept.
    /// </summary>
    Task<bool> ProjectAsync(InstanceWork work, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the work of those of <paramref name="instanceIds"/> still running off people's lists for good (completed,
    /// under a version no snapshot passes), for instances that ended without doing so themselves (terminated by Durable
    /// tooling). Answers the instances it withdrew; the others (unknown, already completed) are left as they are.
    /// </summary>
    Task<IReadOnlyList<WorkInstance>> WithdrawAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken = default);
}

/// <summary>Reads the read model of open work: each call a few indexed reads.</summary>
public interface IWorkQueries
{
    /// <summary>The open items of a person in running instances, soonest due first (no due date last), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<PersonWorkItem>> WaitingOnAsync(string personId, int limit, CancellationToken cancellationToken = default);

    /// <summary>The running instances, most recently started first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<RunningWork>> RunningAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Whether a running instance names the person (one indexed read).</summary>
    Task<bool> NamesAsync(string personId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The running instances that name the person (as an owner, a decider or in the start context), most recently started
    /// first, at most <paramref name="limit"/>: whom each waits on and why its blocked steps are blocked. What a person may
    /// ask the status of; nobody else's instances.
    /// </summary>
    Task<IReadOnlyList<WorkStanding>> NamingAsync(string personId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every person the running instances name, with their roles in them and how many open items they have.</summary>
    Task<IReadOnlyList<PersonWorkload>> PeopleAsync(CancellationToken cancellationToken = default);
}

/// <summary>A person the running instances name: their roles there and their open items.</summary>
public sealed record PersonWorkload(string PersonId, IReadOnlyList<string> Roles, int OpenItems);
