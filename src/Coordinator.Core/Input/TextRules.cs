using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Coordinator.Core.Input;

/// <summary>What a text that enters an instance is, which decides the characters and the length it may have.</summary>
public enum TextKind
{
    /// <summary>
    /// An identifier: a business key, a person id (<c>by</c>, <c>to</c>), an option id, a step id, a context field
    /// name. At most <see cref="TextRules.MaxIdLength"/> characters, no control characters at all.
    /// </summary>
    Id,

    /// <summary>
    /// Free text a person wrote: a progress note (<c>text</c>) or a block reason (<c>reason</c>). At most
    /// <see cref="TextRules.MaxNoteLength"/> characters; tabs and line breaks allowed, no other control characters.
    /// </summary>
    Note,

    /// <summary>A value of the start context. At most <see cref="TextRules.MaxContextValueLength"/> characters, no control characters at all.</summary>
    ContextValue,
}

/// <summary>Why a text was refused: the field as the channel names it (<c>text</c>, <c>context.deal_owner</c>) and what is wrong.</summary>
public sealed record TextProblem(string Field, string Message);

/// <summary>
/// The one policy for every text that enters an instance, whatever the channel (the HTTP API, the web
/// inbox, and every channel to come): what an instance keeps is replayed, stored in Durable's history
/// and in the audit registry, and shown to people, so it must be valid Unicode text of bounded size.
/// Refused: control characters (C0 and C1, DEL; tab, line feed and carriage return are allowed in
/// notes and reasons only), lone surrogates (text that is not valid UTF-16, hence not encodable as
/// UTF-8), Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two code points of every
/// plane), and texts over the limits below. Lengths count UTF-16 code units, as an HTML
/// <c>maxlength</c> does. Channels check with these rules before anything is started or raised, and
/// answer with the message, which names the field, the problem and the limit.
/// </summary>
public static class TextRules
{
    /// <summary>The longest id: business key, person id, option id, step id, context field name.</summary>
    public const int MaxIdLength = 200;

    /// <summary>The longest progress note or block reason.</summary>
    public const int MaxNoteLength = 4000;

    /// <summary>The longest value of a start context field.</summary>
    public const int MaxContextValueLength = 2000;

    /// <summary>The largest start context, serialized as a JSON object in UTF-8 (32 KiB).</summary>
    public const int MaxContextBytes = 32 * 1024;

    private static readonly JsonSerializerOptions ContextJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The longest text of a kind.</summary>
    public static int MaxLength(TextKind kind) => kind switch
    {
        TextKind.Id => MaxIdLength,
        TextKind.Note => MaxNoteLength,
        TextKind.ContextValue => MaxContextValueLength,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown text kind."),
    };

    /// <summary>
    /// Checks one text. Returns null when <paramref name="value"/> is acceptable (or null: whether a field
    /// is required is the caller's business), else a message that names <paramref name="field"/>, says what
    /// is wrong and gives the limit.
    /// </summary>
    public static string? Validate(string field, string? value, TextKind kind)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (value is null)
            return null;
        var max = MaxLength(kind);
        if (value.Length > max)
            return Invariant($"{field} is {value.Length:N0} characters long; at most {max:N0} are allowed.");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                if (kind == TextKind.Note && c is '\t' or '\n' or '\r')
                    continue;
                return Invariant($"{field} contains the control character U+{(int)c:X4} at position {i + 1}; ") + kind switch
                {
                    TextKind.Note => "a note or reason may contain tabs and line breaks, but no other control characters.",
                    TextKind.Id => "an id may contain no control characters (tabs and line breaks included).",
                    _ => "a context value may contain no control characters (tabs and line breaks included).",
                };
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, value[i + 1]);
                if (IsNoncharacter(codePoint))
                    return Noncharacter(field, codePoint, i);
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
                return Invariant($"{field} contains a lone surrogate (U+{(int)c:X4}) at position {i + 1}: it is not valid Unicode text and has no UTF-8 form.");
            if (IsNoncharacter(c))
                return Noncharacter(field, c, i);
        }
        return null;
    }

    /// <summary>
    /// Checks the texts of a human event, as every channel and the orchestrator must: its ids
    /// (<c>stepId</c>, <c>by</c>, <c>to</c>, <c>option</c>) and its free texts (<c>text</c>, <c>reason</c>).
    /// Returns the first problem, named by the event's field, or null.
    /// </summary>
    public static TextProblem? ValidateEvent(Engine.HumanEvent humanEvent)
    {
        ArgumentNullException.ThrowIfNull(humanEvent);
        foreach (var (field, value, kind) in new[]
        {
            ("stepId", humanEvent.StepId, TextKind.Id), ("by", humanEvent.By, TextKind.Id), ("to", humanEvent.To, TextKind.Id),
            ("option", humanEvent.Option, TextKind.Id), ("text", humanEvent.Text, TextKind.Note), ("reason", humanEvent.Reason, TextKind.Note),
        })
        {
            if (Validate(field, value, kind) is { } message)
                return new TextProblem(field, message);
        }
        return null;
    }

    /// <summary>
    /// Checks a start context: every field name (an <see cref="TextKind.Id"/>), every value
    /// (<see cref="TextKind.ContextValue"/>, field <c>{prefix}.{name}</c>), and the whole at most
    /// <see cref="MaxContextBytes"/>. Returns the first problem, or null.
    /// </summary>
    public static TextProblem? ValidateContext(IReadOnlyDictionary<string, string> context, string prefix = "context")
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (var (name, value) in context)
        {
            if (name.Length == 0)
                return new TextProblem(prefix, $"A field name of {prefix} is empty; name every field.");
            if (Validate($"A field name of {prefix}", name, TextKind.Id) is { } badName)
                return new TextProblem(prefix, badName);
            var field = $"{prefix}.{name}";
            if (Validate(field, value, TextKind.ContextValue) is { } badValue)
                return new TextProblem(field, badValue);
        }
        var bytes = ContextBytes(context);
        if (bytes > MaxContextBytes)
        {
            return new TextProblem(prefix, Invariant(
                $"{prefix} is {bytes:N0} bytes as UTF-8 JSON; a start context may be at most {MaxContextBytes:N0} bytes (32 KiB). Keep long texts out of it: record them as progress notes."));
        }
        return null;
    }

    /// <summary>The size of a context serialized as a JSON object in UTF-8 (what <see cref="MaxContextBytes"/> limits).</summary>
    public static int ContextBytes(IReadOnlyDictionary<string, string> context) =>
        JsonSerializer.SerializeToUtf8Bytes(context, ContextJson).Length;

    /// <summary>Unicode noncharacters: U+FDD0–U+FDEF and U+xxFFFE, U+xxFFFF of every plane.</summary>
    private static bool IsNoncharacter(int codePoint) =>
        codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE;

    private static string Noncharacter(string field, int codePoint, int index) =>
        Invariant($"{field} contains the Unicode noncharacter U+{codePoint:X4} at position {index + 1}, which text may not carry.");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
