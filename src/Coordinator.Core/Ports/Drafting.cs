using Coordinator.Core.People;

namespace Coordinator.Core.Ports;

/// <summary>
/// One message for one person that a model may draft: the template's text (which the draft replaces only when it keeps
/// every fact and passes the controls), the facts it must keep, the people whose names and handles are personal data,
/// the workflow's topics, and the free text people wrote that the message quotes (data for the model, never
/// instructions).
/// </summary>
public sealed record DraftRequest
{
    public required Notification Notification { get; init; }

    /// <summary>The kind of message, as template files name it (<c>reminder</c>, <c>escalation</c>, ...).</summary>
    public required string Kind { get; init; }

    /// <summary>The recipient's person id (what the audit rows hold).</summary>
    public required string RecipientId { get; init; }

    /// <summary>The recipient's language, <c>en</c> or <c>it</c>.</summary>
    public required string Language { get; init; }

    /// <summary>The template's text for this recipient: what is sent when there is no draft.</summary>
    public required string Template { get; init; }

    /// <summary>Values the draft must contain as written (the step, the due date, the business key).</summary>
    public IReadOnlyList<string> Facts { get; init; } = [];

    /// <summary>The people the message may name (recipients, the actor, the steps' owners): redacted before the model.</summary>
    public IReadOnlyList<KnownPerson> People { get; init; } = [];

    /// <summary>The workflow's topics (the guardrail keeps drafts on them).</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>Free text people wrote that the message is about (a block's reason, a note), when there is one.</summary>
    public string? Input { get; init; }
}

/// <summary>Who wrote a message: the model (after the controls passed it) or the template.</summary>
public enum DraftSource
{
    Template,
    Model,
}

/// <summary>
/// The drafter's answer: <see cref="Text"/> to send instead of the template, or null with the reason the template is
/// sent (no model for this kind, the model failed, timed out, ran over its token budget, dropped a fact, or a control
/// refused the draft).
/// </summary>
public sealed record MessageDraft(string? Text, DraftSource Source, string? FallbackReason)
{
    public static MessageDraft UseTemplate(string reason) => new(null, DraftSource.Template, reason);
}

/// <summary>
/// Drafts messages with the configured model, behind the controls (pii-detector before the model, topic-guardrail on
/// its answer, tool-rate-limit on the calls). Called only from activities (the notification's delivery), so a
/// replayed orchestration never calls the model again. Never throws for the model's failures: the template is the
/// answer. Registered only when a model is configured.
/// </summary>
public interface IMessageDrafter
{
    Task<MessageDraft> DraftAsync(DraftRequest request, CancellationToken cancellationToken = default);
}

public static class PersonPrivacy
{
    /// <summary>A directory entry as the pii-detector knows it: the full name, its parts, and every handle on a channel.</summary>
    public static KnownPerson AsKnownPerson(this Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var names = new List<string> { person.Name };
        var parts = person.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length > 1)
            names.AddRange(parts.Where(p => p.Length >= 3));
        var handles = new List<string>();
        void Add(string? handle)
        {
            if (!string.IsNullOrWhiteSpace(handle))
                handles.Add(handle);
        }
        Add(person.Slack);
        Add(person.Teams?.User);
        Add(person.WhatsApp);
        Add(person.Telegram?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(person.Email);
        return new KnownPerson(person.Id, names, handles);
    }
}
