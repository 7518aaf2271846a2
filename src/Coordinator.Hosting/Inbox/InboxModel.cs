using Coordinator.Core.Definitions;
using Coordinator.Core.Ports;

namespace Coordinator.Hosting.Inbox;

// Public only because the inbox's Razor components (public, as Razor generates them) take these records as parameters.

/// <summary>The running instance an inbox item belongs to.</summary>
/// <param name="WorkflowNow">The instance's workflow time now (it runs <c>--time-scale</c> times faster than real time).</param>
public sealed record InboxInstance(string InstanceId, string WorkflowId, string WorkflowTitle, string? BusinessKey, DateTimeOffset WorkflowNow);

/// <summary>A task step a person owns, active or blocked.</summary>
public sealed record OwnedStep(
    InboxInstance Instance, string StepId, string Title, string Status, DateTimeOffset? Due, int EscalationLevel, string? BlockReason);

/// <summary>A decision waiting for a person: a decision step they own (<see cref="IsBlock"/> false) or a block they decide.</summary>
public sealed record PendingDecision(
    InboxInstance Instance,
    string StepId,
    string Title,
    bool IsBlock,
    IReadOnlyList<DecisionOption> Choices,
    DateTimeOffset? Due,
    string? BlockReason,
    string? BlockedBy);

/// <summary>Someone the inbox knows: from the roles of the loaded definitions and the running instances.</summary>
public sealed record InboxPerson(string PersonId, IReadOnlyList<string> Roles, int Waiting);

/// <summary>What one person sees.</summary>
public sealed record PersonInbox(
    string PersonId,
    bool IsKnown,
    IReadOnlyList<OwnedStep> Steps,
    IReadOnlyList<PendingDecision> Decisions,
    IReadOnlyList<Notification> Notifications);

/// <summary>A running instance as the welcome page lists it: who it waits on now.</summary>
/// <param name="StartedAt">When the instance was created (real time).</param>
/// <param name="Waiting">Its running steps, in definition order; empty while its first turn has not run.</param>
public sealed record RunningInstance(InboxInstance Instance, DateTimeOffset StartedAt, IReadOnlyList<WaitingItem> Waiting);

/// <summary>A running step and the people it waits on: its owners, or the deciders while it is blocked.</summary>
/// <param name="Status">"active", "blocked" or "decision" (an active decision step).</param>
public sealed record WaitingItem(string StepId, string Title, string Status, IReadOnlyList<string> People, DateTimeOffset? Due);

/// <summary>A one-time message shown after a form was handled (POST-redirect-GET).</summary>
public sealed record Flash(bool Success, string Message);
