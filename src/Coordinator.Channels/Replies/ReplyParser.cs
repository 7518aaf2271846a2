using System.Globalization;
using System.Text.RegularExpressions;

namespace Coordinator.Channels.Replies;

/// <summary>What a person's plain-text reply asks for.</summary>
public enum ReplyCommand
{
    /// <summary>Not one of the commands (the agent issue interprets free text; without it, the person gets the help).</summary>
    Unknown,
    Done,
    Blocked,

    /// <summary><c>blocked</c> without a reason: the person is asked for it.</summary>
    BlockedWithoutReason,
    Note,

    /// <summary>The number of a choice offered in the message replied to.</summary>
    Choice,

    /// <summary><c>option &lt;id&gt;</c>.</summary>
    Option,
    Help,

    /// <summary><c>list</c> / <c>elenco</c>, or "what is waiting for me?": the person's open items, numbered.</summary>
    List,

    /// <summary>
    /// <c>status &lt;reference&gt;</c> / <c>stato &lt;riferimento&gt;</c>, or "why is the claim 2024-0847 blocked?", "where is
    /// D-1001?", "a che punto è D-1001?": where an instance that names the person stands (the argument is the reference).
    /// </summary>
    Status,
}

/// <summary>A parsed reply: the command and its argument (the reason, the note, the option id, the choice's number).</summary>
/// <param name="Target">The words that name the item the command is about ("mark ACME-9 contract done": "ACME-9 contract"), when the reply names one.</param>
public sealed record ParsedReply(ReplyCommand Command, string? Argument = null, string? Target = null)
{
    /// <summary>The choice's number, for <see cref="ReplyCommand.Choice"/>.</summary>
    public int? Number => Command == ReplyCommand.Choice && int.TryParse(Argument, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>
/// The commands people type in any channel, in English and Italian, case-insensitive, with or without trailing
/// punctuation: <c>done</c> / <c>fatto</c> (optionally <c>done: &lt;note&gt;</c>), <c>blocked: &lt;reason&gt;</c> /
/// <c>bloccato: &lt;motivo&gt;</c>, <c>note: &lt;text&gt;</c> / <c>nota: &lt;testo&gt;</c>, the number of a choice,
/// <c>option &lt;id&gt;</c> / <c>opzione &lt;id&gt;</c>, <c>help</c> / <c>aiuto</c>, <c>list</c> / <c>elenco</c> (or "what is
/// waiting for me?" / "cosa mi aspetta?"), <c>status &lt;reference&gt;</c> / <c>stato &lt;riferimento&gt;</c> (or "why is
/// D-1001 blocked?", "a che punto è D-1001?"), <c>mark &lt;item&gt; done</c> / <c>segna &lt;voce&gt; come fatto</c> (the item
/// named by its reference, its title, or both). Anything else is <see cref="ReplyCommand.Unknown"/>: nothing is guessed.
/// </summary>
public static partial class ReplyParser
{
    [GeneratedRegex(@"^(?<word>[\p{L}]+)\s*(?:[:\-–—]\s*(?<rest>.*))?$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex CommandForm();

    [GeneratedRegex(@"^(?:option|opzione|opt)\s+(?<id>[A-Za-z0-9][A-Za-z0-9_.\-]*)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex OptionForm();

    [GeneratedRegex(@"^#?(?<n>\d{1,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberForm();

    // "Mark ACME-9 contract done": a done that names its item (by its reference, its title, or both).
    [GeneratedRegex(
        @"^(?:mark|set|segna|metti)\s+(?<what>.+?)\s+(?:as\s+|come\s+)?(?:done|complete|completed|finished|fatto|fatta|completato|completata|finito|finita)$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex MarkDoneForm();

    // Questions about where an instance stands; the reference is what names it (a business key, possibly with words around it).
    [GeneratedRegex(
        @"^(?:(?:status|stato)(?:\s+(?:of|for|di|del|della|dello))?\s*[:\-]?\s+(?<ref>.+)"
        + @"|(?:why|how come)\s+(?:is|are)\s+(?<ref>.+?)\s+(?:still\s+)?(?:blocked|stuck|late|overdue|on hold|waiting)"
        + @"|(?:where|how)\s+(?:is|are)\s+(?<ref>.+?)(?:\s+(?:at|going|now))?"
        + @"|what(?:'s|\s+is)\s+(?:the\s+)?(?:status|state)\s+(?:of|for)\s+(?<ref>.+)"
        + @"|perch[ée]\s+(?<ref>.+?)\s+(?:è|e'|é)\s+(?:ancora\s+)?(?:bloccat[oa]|ferm[oa]|in ritardo|in attesa)"
        + @"|a che punto\s+(?:è|e'|é|sono|siamo con)\s+(?<ref>.+)"
        + @"|com'(?:è|e)\s+(?:messa|messo)\s+(?<ref>.+))$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex StatusForm();

    private static readonly Dictionary<string, ReplyCommand> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["done"] = ReplyCommand.Done,
        ["fatto"] = ReplyCommand.Done,
        ["fatta"] = ReplyCommand.Done,
        ["blocked"] = ReplyCommand.Blocked,
        ["bloccato"] = ReplyCommand.Blocked,
        ["bloccata"] = ReplyCommand.Blocked,
        ["note"] = ReplyCommand.Note,
        ["nota"] = ReplyCommand.Note,
        ["help"] = ReplyCommand.Help,
        ["aiuto"] = ReplyCommand.Help,
    };

    private static readonly Dictionary<string, bool> Confirmations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["yes"] = true, ["y"] = true, ["ok"] = true, ["okay"] = true, ["confirm"] = true, ["sure"] = true,
        ["sì"] = true, ["si"] = true, ["conferma"] = true, ["confermo"] = true, ["certo"] = true, ["va bene"] = true,
        ["no"] = false, ["n"] = false, ["cancel"] = false, ["annulla"] = false,
    };

    /// <summary>
    /// The answer to a "shall I?" question: true for <c>yes</c> / <c>sì</c> (and <c>ok</c>, <c>confirm</c>,
    /// <c>conferma</c>...), false for <c>no</c> / <c>annulla</c>, null for anything else.
    /// </summary>
    public static bool? Confirmation(string? text)
    {
        var bare = (text ?? "").Trim().TrimEnd('.', '!', ' ');
        return Confirmations.TryGetValue(bare, out var yes) ? yes : null;
    }

    /// <summary>The ways of asking what waits for one, in English and Italian (after case and trailing punctuation are set aside).</summary>
    private static readonly HashSet<string> ListQuestions = new(StringComparer.OrdinalIgnoreCase)
    {
        "list", "my list", "my work", "my tasks", "todo", "to do", "what is waiting for me", "what's waiting for me", "whats waiting for me",
        "what is open", "what do i have", "what do i have to do", "what is on my plate",
        "elenco", "lista", "il mio lavoro", "i miei compiti", "cosa mi aspetta", "che cosa mi aspetta", "cosa devo fare", "che cosa devo fare", "cosa c'è da fare",
    };

    /// <summary>Whether the reply asks for a status in so many words (<c>status ...</c> / <c>stato ...</c>), rather than as a question.</summary>
    public static bool IsExplicitStatus(string? text) =>
        (text ?? "").TrimStart() is var trimmed
        && (trimmed.StartsWith("status", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("stato", StringComparison.OrdinalIgnoreCase))
        && StatusForm().IsMatch(trimmed.TrimEnd('.', '!', '?', ' '));

    public static ParsedReply Parse(string? text)
    {
        var trimmed = (text ?? "").Trim();
        // Trailing punctuation people add without meaning anything by it ("Done!", "fatto.").
        var bare = trimmed.TrimEnd('.', '!', ' ');
        if (bare.Length == 0)
            return new ParsedReply(ReplyCommand.Unknown);
        if (bare == "?")
            return new ParsedReply(ReplyCommand.Help);
        if (ListQuestions.Contains(bare.TrimEnd('?', ' ').Replace('’', '\'')))
            return new ParsedReply(ReplyCommand.List);
        if (StatusForm().Match(bare.TrimEnd('?', ' ').Replace('’', '\'')) is { Success: true } status)
            return new ParsedReply(ReplyCommand.Status, status.Groups["ref"].Value.Trim());
        if (MarkDoneForm().Match(bare) is { Success: true } mark)
            return new ParsedReply(ReplyCommand.Done, Target: mark.Groups["what"].Value.Trim());
        if (NumberForm().Match(bare) is { Success: true } number)
            return new ParsedReply(ReplyCommand.Choice, int.Parse(number.Groups["n"].Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        if (OptionForm().Match(bare) is { Success: true } option)
            return new ParsedReply(ReplyCommand.Option, option.Groups["id"].Value);
        var form = CommandForm().Match(trimmed);
        if (!form.Success)
            form = CommandForm().Match(bare);
        if (!form.Success
            || !Words.TryGetValue(form.Groups["word"].Value, out var command))
            return new ParsedReply(ReplyCommand.Unknown, trimmed);
        var rest = form.Groups["rest"].Success ? form.Groups["rest"].Value.Trim() : "";
        var restBare = rest.TrimEnd('.', '!', ' ');
        return command switch
        {
            ReplyCommand.Done => new ParsedReply(ReplyCommand.Done, rest.Length == 0 ? null : rest),
            ReplyCommand.Blocked => restBare.Length == 0 ? new ParsedReply(ReplyCommand.BlockedWithoutReason) : new ParsedReply(ReplyCommand.Blocked, rest),
            ReplyCommand.Note => rest.Length == 0 ? new ParsedReply(ReplyCommand.Unknown, trimmed) : new ParsedReply(ReplyCommand.Note, rest),
            ReplyCommand.Help => rest.Length == 0 ? new ParsedReply(ReplyCommand.Help) : new ParsedReply(ReplyCommand.Unknown, trimmed),
            _ => new ParsedReply(ReplyCommand.Unknown, trimmed),
        };
    }
}
