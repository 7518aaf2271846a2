namespace Coordinator.Channels.Rendering;

/// <summary>What a reply or a button does with the step a message is about.</summary>
public enum ReplyIntent
{
    /// <summary>The step is done.</summary>
    Done,

    /// <summary>The step is blocked; the person is asked for the reason.</summary>
    Block,

    /// <summary>A progress note on the step.</summary>
    Note,

    /// <summary>Choose an option of a decision (or an alternative offered after a block): <see cref="MessageAction.Option"/>.</summary>
    Choose,
}

/// <summary>
/// One action a message offers (a Slack button, a Teams card action, a Telegram inline-keyboard key, a numbered WhatsApp
/// choice). <see cref="Number"/> is what a person types to pick it in plain text.
/// </summary>
public sealed record MessageAction(int Number, ReplyIntent Intent, string Label, string? Option = null);

/// <summary>
/// A message ready for a channel: plain text (short lines, <c>*bold*</c> for the headline, which every channel renders
/// or shows as is), the facts a card shows as a table, and the actions that fit. Channels turn it into their format;
/// the rendering decides what is said, never how a provider encodes it.
/// </summary>
public sealed record RenderedMessage
{
    public required MessageKind Kind { get; init; }

    /// <summary><c>en</c> or <c>it</c>.</summary>
    public required string Language { get; init; }

    /// <summary>The first line: what happened, in a few words.</summary>
    public required string Headline { get; init; }

    /// <summary>The whole message in plain text, headline included.</summary>
    public required string Text { get; init; }

    /// <summary>Label and value pairs (workflow, step, due, business key), in the person's language and time zone.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Facts { get; init; } = [];

    public IReadOnlyList<MessageAction> Actions { get; init; } = [];

    /// <summary>The text with the numbered choices appended, for channels without buttons (WhatsApp, SMS-like clients).</summary>
    public string TextWithNumberedChoices(string replyHint) => Actions.Count == 0
        ? Text
        : Text + "\n\n" + string.Join('\n', Actions.Select(a => $"{a.Number}. {a.Label}")) + "\n" + replyHint;
}
