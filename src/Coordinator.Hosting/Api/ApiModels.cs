using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coordinator.Application;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;

namespace Coordinator.Hosting.Api;

/// <summary>The body of a start request, bound by <see cref="JsonBody"/> (unknown or repeated fields refused); the limits are <see cref="TextRules"/>.</summary>
public sealed record StartInstanceRequest(
    [property: MaxLength(TextRules.MaxIdLength)]
    [property: Description("Names the instance (claim number, deal id): an id, at most 200 characters, no control characters; optional when context holds the workflow's business_key field. The same key twice finds the same instance.")]
    string? BusinessKey = null,
    [property: Description("Start context, field name to value (a string, number or boolean): the person ids of roles taken from the context, the fields step conditions read, other details. Names are ids (at most 200 characters), values at most 2,000 characters, neither with control characters (tabs and line breaks included); the whole context at most 32 KiB as UTF-8 JSON. A 400 names the field at fault (context.deal_owner).")]
    [property: JsonConverter(typeof(StartContextConverter))]
    IReadOnlyDictionary<string, string>? Context = null);

/// <summary>
/// The body of a step event, bound by <see cref="JsonBody"/> (unknown or repeated fields refused); its
/// fields are then checked by <see cref="HumanEventFields"/>, the same for every channel.
/// </summary>
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
    [property: Description("Optional id of the event, 1 to 200 letters, digits, '.', '_', ':' or '-': send the same event again with the same id (after a timeout, a lost answer) and it is taken up once; the answer is the first one's outcome.")] string? Id = null)
{
    /// <summary>The fields given (a null member counts as absent), as <see cref="HumanEventFields.Parse"/> takes them.</summary>
    public IReadOnlyDictionary<string, string?> Fields()
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            if (value is not null)
                fields[name] = value;
        }
        Add("type", Type);
        Add("by", By);
        Add("text", Text);
        Add("reason", Reason);
        Add("option", Option);
        Add("to", To);
        Add("id", Id);
        return fields;
    }
}

/// <summary>
/// Reads a start context: a JSON object whose values are strings, numbers or booleans (a number or
/// boolean kept as its JSON text: <c>42</c>, <c>true</c>); anything else is refused naming the field.
/// </summary>
public sealed class StartContextConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonFieldException("context", "context must be a JSON object of field names to values.");
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            context[name] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
                _ => throw new JsonFieldException($"context.{name}", $"context.{name} must be a string, number or boolean."),
            };
        }
        return context;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        foreach (var (name, text) in value)
            writer.WriteString(name, text);
        writer.WriteEndObject();
    }
}

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

/// <summary>The answer to a start request.</summary>
public sealed record StartInstanceResponse(string InstanceId, string StatusUri, bool AlreadyExisted);

/// <summary>An instance in a list.</summary>
public sealed record InstanceSummary(string InstanceId, string WorkflowId, string? BusinessKey, string Status, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, string StatusUri);

/// <summary>A workflow the host serves.</summary>
public sealed record WorkflowView(string Id, int Version, string Title, string ContentHash, string? BusinessKey, IReadOnlyList<string> Steps);

/// <summary>What waits for a person: their open steps and decisions in the running instances, soonest due first.</summary>
/// <param name="Known">Whether a loaded definition or a running instance names the person (false: check the id).</param>
public sealed record PersonWorkResponse(string PersonId, bool Known, IReadOnlyList<WorkItemView> Items);

/// <summary>One open item of a person.</summary>
/// <param name="Kind"><c>step</c> (a task step they own), <c>decision</c> (a decision step they own) or <c>block</c> (a block they decide).</param>
/// <param name="Status">The step's status: <c>active</c> or <c>blocked</c>.</param>
/// <param name="Due">The step's deadline (workflow time).</param>
/// <param name="Overdue">Whether the deadline has passed in the instance's workflow time now.</param>
/// <param name="EscalationLevel">Escalation levels fired in the step's current silence.</param>
/// <param name="Options">The choices (decision options or block alternatives), to send as <c>option</c> of a <c>decide</c> event.</param>
/// <param name="EventsUri">Where to report an event on the step.</param>
public sealed record WorkItemView(
    string InstanceId,
    string WorkflowId,
    string WorkflowTitle,
    string? BusinessKey,
    string StepId,
    string Title,
    string Kind,
    string Status,
    DateTimeOffset? Due,
    bool Overdue,
    int EscalationLevel,
    string? BlockReason,
    string? BlockedBy,
    IReadOnlyList<OptionView> Options,
    string EventsUri);

/// <summary>A choice of a decision or a block.</summary>
public sealed record OptionView(string Id, string Title);
