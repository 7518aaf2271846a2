namespace Coordinator.Core.Ports;

/// <summary>What a person's own words come to, as the interpreter reads them (issue 14 §3).</summary>
public enum InterpretedIntent
{
    /// <summary>Nothing the coordinator can act on: the rules' answer (the help) is given.</summary>
    Unclear,

    /// <summary>The step is done (needs the person's confirmation before it takes effect).</summary>
    Done,

    /// <summary>The step is blocked, with a reason (needs the person's confirmation before it takes effect).</summary>
    Blocked,

    /// <summary>A progress note on the step.</summary>
    Progress,

    /// <summary>One of a decision's alternatives, by its id.</summary>
    Choose,

    /// <summary>A question about the step, for its process owner.</summary>
    Question,
}

/// <summary>One alternative of a decision waiting for the person.</summary>
public sealed record InterpretOption(string Id, string Title);

/// <summary>One item waiting for the person: a step, or a decision when it has options.</summary>
public sealed record InterpretItem(string InstanceId, string StepId, string Title, string WorkflowTitle, string? BusinessKey, IReadOnlyList<InterpretOption> Options)
{
    public bool IsDecision => Options.Count > 0;
}

/// <summary>Free text a person wrote in their channel, with what waits for them (what the text can be about).</summary>
public sealed record InterpretRequest
{
    /// <summary>The person's words, as they wrote them.</summary>
    public required string Text { get; init; }

    /// <summary>The writer's person id.</summary>
    public required string PersonId { get; init; }

    /// <summary>The writer's language, <c>en</c> or <c>it</c>.</summary>
    public required string Language { get; init; }

    /// <summary>The items waiting for the person, in the order they are numbered (1 is the first).</summary>
    public required IReadOnlyList<InterpretItem> Items { get; init; }

    /// <summary>The people the text may name (the directory): redacted before the model.</summary>
    public IReadOnlyList<KnownPerson> People { get; init; } = [];
}

/// <summary>
/// The interpreter's answer: the intent, the item (1-based, into <see cref="InterpretRequest.Items"/>) it is about, the
/// text it carries (the block's reason, the note, the question) with people's values restored, the option id for a
/// choice; for <see cref="InterpretedIntent.Unclear"/>, why. <see cref="Redacted"/> counts what the pii-detector replaced
/// by kind (for the caller's audit row), never the values.
/// </summary>
public sealed record InterpretedReply(
    InterpretedIntent Intent, int? Item, string? Text, string? Option, string? Why, IReadOnlyDictionary<string, int> Redacted)
{
    public static InterpretedReply Unclear(string why, IReadOnlyDictionary<string, int>? redacted = null) =>
        new(InterpretedIntent.Unclear, null, null, null, why, redacted ?? new Dictionary<string, int>());

    /// <summary>Whether the intent changes a step's state, so the person confirms it before it takes effect.</summary>
    public bool NeedsConfirmation => Intent is InterpretedIntent.Done or InterpretedIntent.Blocked;
}

/// <summary>
/// Reads free text that is no command ("still waiting for the customer to choose between Okta and Entra", "ho finito la
/// migrazione") as a structured intent, which the caller validates against the engine and, for a done or a block, has
/// the person confirm. Registered only when a model is configured; without one the channels' rules answer. Never throws
/// for the model's failures: <see cref="InterpretedIntent.Unclear"/> is the answer.
/// </summary>
public interface IReplyInterpreter
{
    Task<InterpretedReply> InterpretAsync(InterpretRequest request, CancellationToken cancellationToken = default);
}
