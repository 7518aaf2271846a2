using System.Diagnostics.CodeAnalysis;
using Coordinator.Core.Input;

namespace Coordinator.Application;

/// <summary>What became of a start (<see cref="CoordinatorService.StartAsync"/>): started, found already there, or refused.</summary>
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
    /// <summary>The host serves no workflow with that id.</summary>
    UnknownWorkflow,

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
