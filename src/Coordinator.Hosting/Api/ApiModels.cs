using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;

namespace Coordinator.Hosting.Api;

/// <summary>The body of a start request (the handler reads it field by field, refusing unknown or repeated fields; this record documents it; the limits are <see cref="TextRules"/>).</summary>
public sealed record StartInstanceRequest(
    [property: MaxLength(TextRules.MaxIdLength)]
    [property: Description("Names the instance (claim number, deal id): an id, at most 200 characters, no control characters; optional when context holds the workflow's business_key field. The same key twice finds the same instance.")]
    string? BusinessKey = null,
    [property: Description("Start context, field name to value (a string, number or boolean): the person ids of roles taken from the context, the fields step conditions read, other details. Names are ids (at most 200 characters), values at most 2,000 characters, neither with control characters (tabs and line breaks included); the whole context at most 32 KiB as UTF-8 JSON. A 400 names the field at fault (context.deal_owner).")]
    IReadOnlyDictionary<string, string>? Context = null);

/// <summary>The body of a step event (read field by field, unknown or repeated fields refused; this record documents it; the limits are <see cref="TextRules"/>).</summary>
public sealed record StepEventRequest(
    [property: Description("done, progress, blocked, decide or reassign.")] string Type,
    [property: MaxLength(TextRules.MaxIdLength)]
    [property: Description("The person id of who reports the event (at most 200 characters, no control characters); the engine checks they may act on the step (409 otherwise).")] string By,
    [property: MaxLength(TextRules.MaxNoteLength)]
    [property: Description("A note (progress; done may carry one too): at most 4,000 characters, tabs and line breaks allowed, no other control characters.")] string? Text = null,
    [property: MaxLength(TextRules.MaxNoteLength)]
    [property: Description("What blocks the step (blocked: required): at most 4,000 characters, tabs and line breaks allowed, no other control characters.")] string? Reason = null,
    [property: MaxLength(TextRules.MaxIdLength)]
    [property: Description("The chosen option of a decision step or alternative of a block (decide), an id of at most 200 characters; without it, a block with no alternatives is resumed.")] string? Option = null,
    [property: MaxLength(TextRules.MaxIdLength)]
    [property: Description("The person id of the new owner (reassign: required), at most 200 characters, no control characters.")] string? To = null,
    [property: MaxLength(TextRules.MaxIdLength)]
    [property: Description("Optional id of the event, 1 to 200 letters, digits, '.', '_', ':' or '-': send the same event again with the same id (after a timeout, a lost answer) and it is taken up once; the answer is the first one's outcome.")] string? Id = null);

/// <summary>
/// The answer to a step event: <c>applied</c> (200) once the instance applied it, or <c>accepted</c>
/// (202) when it was raised but the instance had not taken it up within the wait; its outcome then
/// shows in the instance (and the audit registry). A rejected event answers 409 problem details.
/// </summary>
/// <param name="EventId">The id the coordinator gave the event.</param>
/// <param name="Outcome"><c>applied</c> or <c>accepted</c>.</param>
/// <param name="Sequence">The engine action number of the event's own action (<c>detail.sequence</c> of its <c>step.completed</c>, <c>step.blocked</c>, ... row in the audit registry); null until applied.</param>
/// <param name="AppliedAt">The workflow time the event was applied at; null until applied.</param>
public sealed record StepEventOutcome(string InstanceId, string StepId, string Type, string EventId, string Outcome, long? Sequence, DateTimeOffset? AppliedAt);

/// <summary>What <see cref="CoordinatorApi.SubmitEventAsync"/> did: raised the event (its id), or refused it (the problem).</summary>
public sealed record EventSubmission(Microsoft.AspNetCore.Http.IResult? Problem, string? EventId)
{
    /// <summary>Set when the event (by its id) had been taken up already: its outcome then; nothing was raised again.</summary>
    public Orchestration.EventOutcome? Known { get; init; }
}

/// <summary>Why an instance failed (a bug or a broken input): the error type and message.</summary>
public sealed record FailureView(string Type, string Message);

/// <summary>The answer to a start request.</summary>
public sealed record StartInstanceResponse(string InstanceId, string StatusUri, bool AlreadyExisted);

/// <summary>What became of a start (<see cref="CoordinatorApi.StartAsync"/>): started, found already there, or refused.</summary>
/// <param name="InstanceId">The instance started or found; null when refused.</param>
/// <param name="BusinessKey">The business key the instance is named by (given, or taken from the context).</param>
/// <param name="AlreadyExisted">True when an instance with this business key existed already; nothing new was started.</param>
/// <param name="Problem">Why the start was refused; null when accepted.</param>
public sealed record StartOutcome(string? InstanceId, string? BusinessKey, bool AlreadyExisted, StartProblem? Problem)
{
    /// <summary>True when the instance was started or already existed.</summary>
    [MemberNotNullWhen(true, nameof(InstanceId))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool Accepted => Problem is null;

    internal static StartOutcome Started(string instanceId, string? businessKey) => new(instanceId, businessKey, AlreadyExisted: false, null);

    internal static StartOutcome Existing(string instanceId, string? businessKey) => new(instanceId, businessKey, AlreadyExisted: true, null);

    internal static StartOutcome Refuse(StartProblemKind kind, string field, string message, IReadOnlyList<string>? missing = null) =>
        new(null, null, AlreadyExisted: false, new StartProblem(kind, field, message, missing ?? []));
}

/// <summary>Why a start was refused.</summary>
/// <param name="Field">The request field at fault, as the API names it (<c>businessKey</c>, <c>context.deal_owner</c>).</param>
/// <param name="Message">What is wrong and what to send instead.</param>
/// <param name="MissingContext">The context fields the workflow needs that were not given (<see cref="StartProblemKind.MissingContext"/>).</param>
public sealed record StartProblem(StartProblemKind Kind, string Field, string Message, IReadOnlyList<string> MissingContext);

public enum StartProblemKind
{
    /// <summary>The workflow names its instances by a context field, and neither the business key nor that field was given.</summary>
    MissingBusinessKey,

    /// <summary>
    /// The business key, a context field name or value, or the whole context breaks the text rules
    /// (<see cref="TextRules"/>: too long, control characters, not valid Unicode); the message says which and the limit.
    /// </summary>
    InvalidText,

    /// <summary>The business key and the context field it comes from were both given, with different values.</summary>
    BusinessKeyMismatch,

    /// <summary>The context lacks fields the workflow needs (roles taken from the context).</summary>
    MissingContext,
}

/// <summary>An instance as the API shows it.</summary>
/// <param name="Context">The start context the instance was started with (roles' people, conditions, other details).</param>
public sealed record InstanceView(
    string InstanceId,
    string WorkflowId,
    int WorkflowVersion,
    string? BusinessKey,
    IReadOnlyDictionary<string, string> Context,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    DateTimeOffset? WorkflowNow,
    DateTimeOffset? NextWakeUp,
    IReadOnlyList<StepView> Steps)
{
    /// <summary>Why the instance failed; null unless its status is <c>failed</c>.</summary>
    public FailureView? Failure { get; init; }

    /// <summary>Set while the instance waits for the audit store (PostgreSQL unreachable): it goes on by itself when the store is back.</summary>
    public Orchestration.WaitingFor? WaitingFor { get; init; }

    /// <summary>How many best-effort effects wait for a durable retry.</summary>
    public int PendingEffectCount { get; init; }

    /// <summary>The first of them (at most 10).</summary>
    public IReadOnlyList<Orchestration.PendingEffectView> PendingEffects { get; init; } = [];
}

/// <summary>One step of an instance.</summary>
public sealed record StepView(
    string StepId,
    string Title,
    string Status,
    IReadOnlyList<string> Owners,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? LastActivityAt,
    DateTimeOffset? NextReminderAt,
    int EscalationLevel,
    string? BlockReason,
    string? Decision);

/// <summary>An instance in a list.</summary>
public sealed record InstanceSummary(string InstanceId, string WorkflowId, string? BusinessKey, string Status, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, string StatusUri);

/// <summary>A workflow the host serves.</summary>
public sealed record WorkflowView(string Id, int Version, string Title, string ContentHash, string? BusinessKey, IReadOnlyList<string> Steps);

internal static class StepStatusNames
{
    public static string Of(StepStatus status) => status switch
    {
        StepStatus.Pending => "pending",
        StepStatus.Active => "active",
        StepStatus.Blocked => "blocked",
        StepStatus.Done => "done",
        StepStatus.Skipped => "skipped",
        _ => status.ToString().ToLowerInvariant(),
    };
}
